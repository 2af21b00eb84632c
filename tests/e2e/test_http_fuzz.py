"""Property-based fuzz of both web apps behind real servers: malformed input never gets a 500.

Hypothesis draws requests with bad JSON, wrong types, odd unicode, invalid emails,
unknown ids and oversized bodies, sends them to the sync app under gunicorn and the
async app under uvicorn on loopback, and checks each response: a status below 500, and
for every error a JSON body with a code and a message. derandomize=True fixes the
seed, so CI runs the same examples every time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.servers import ServerSpec, serve
from bench.vocabulary import Executor
from core.app_settings import AppSettings
from core.http_api import MAX_BODY_BYTES

SETTINGS = AppSettings(latency_ms=0.0, handler_ms=0.0)
SERVERS = {
    "sync-gunicorn": ServerSpec(Executor.THREADS, processes=1, threads=4, settings=SETTINGS),
    "async-uvicorn": ServerSpec(Executor.UVLOOP, settings=SETTINGS),
}
EXAMPLES = 150  # per app; about 10 s against both servers on 2 cores

# Values of every JSON type, nested a little, with any unicode in strings.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
emails = st.one_of(
    st.emails(),
    st.text(max_size=300),
    st.just("a" * 300 + "@example.com"),
    st.just("ünï@éxample.com"),
)
user_bodies = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=80), json_values),
        "email": st.one_of(emails, json_values),
        "name": st.one_of(st.text(max_size=300), json_values),
    },
)
payloads = st.one_of(
    user_bodies.map(lambda body: json.dumps(body).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=512),  # mostly not JSON, often not UTF-8
    st.text(max_size=200).map(lambda text: ("{" + text).encode("utf-8", "surrogatepass")),
    st.just(b'{"email": "\\ud800@example.com", "name": "lone surrogate"}'),
    st.just(b'{"email": "' + b"x" * (MAX_BODY_BYTES + 10) + b'@example.com"}'),
)
user_ids = st.one_of(st.text(max_size=40), st.just("user-1"), st.just("."), st.just(".."))
content_types = st.sampled_from(
    ["application/json", "text/plain", "application/x-www-form-urlencoded", None]
)


@st.composite
def requests(draw: Any) -> tuple[str, str, bytes, str | None]:
    user_id = quote(draw(user_ids), safe="") or "%20"
    method, path = draw(
        st.sampled_from(
            [
                ("POST", "/users"),
                ("GET", "/users"),
                ("GET", f"/users/{user_id}"),
                ("POST", f"/users/{user_id}/deactivate"),
                ("POST", f"/users/{user_id}/activate"),
                ("PUT", f"/users/{user_id}/email"),
                ("DELETE", f"/users/{user_id}"),
                ("GET", "/users?limit=" + quote(draw(st.text(max_size=12)), safe="")),
            ]
        )
    )
    return method, path, draw(payloads), draw(content_types)


@pytest.fixture(scope="module", params=list(SERVERS))
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    log_dir: Path = tmp_path_factory.mktemp("fuzz")
    with (
        serve(SERVERS[request.param], log_dir) as server,
        httpx.Client(base_url=server.url, timeout=10.0) as http,
    ):
        # One known user, so requests that name it reach the use cases, not only 404.
        created = http.post("/users", json={"id": "user-1", "email": "u1@example.com", "name": "U"})
        assert created.status_code == 201
        yield http


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests())
def test_malformed_requests_never_500(
    client: httpx.Client, request: tuple[str, str, bytes, str | None]
) -> None:
    method, path, body, content_type = request
    headers = {} if content_type is None else {"content-type": content_type}
    response = client.request(method, path, content=body, headers=headers)

    assert response.status_code < 500, (method, path, body[:200], response.text[:300])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/json")
        error = response.json()["error"]
        assert isinstance(error["code"], str)
        assert error["code"]
        assert isinstance(error["message"], str)
        assert error["message"]
