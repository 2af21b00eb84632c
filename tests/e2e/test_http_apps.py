"""Drive both web apps through real servers (gunicorn and uvicorn) on loopback.

Every endpoint and every error case runs against the sync app under gunicorn and
the async app under uvicorn, on the memory and the SQLite backend, and both must
return the same status and body.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import psutil
import pytest

from bench.servers import ServerError, ServerSpec, serve
from bench.vocabulary import Executor
from core.app_settings import AppSettings
from core.http_api import MAX_BODY_BYTES
from core.policy import Backend

SETTINGS = AppSettings(latency_ms=0.0, handler_ms=1.0)  # fast I/O; handlers still subscribed
SERVERS = {
    "sync-gunicorn": ServerSpec(Executor.THREADS, processes=1, threads=4, settings=SETTINGS),
    "async-uvicorn-asyncio": ServerSpec(Executor.ASYNCIO, settings=SETTINGS),
    "async-uvicorn-uvloop": ServerSpec(Executor.UVLOOP, settings=SETTINGS),
    "sync-gunicorn-sqlite": ServerSpec(Executor.THREADS, processes=1, threads=4),
    "async-uvicorn-sqlite": ServerSpec(Executor.UVLOOP),
}
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module", params=list(SERVERS))
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    log_dir: Path = tmp_path_factory.mktemp("servers")
    spec = SERVERS[request.param]
    if request.param.endswith("-sqlite"):
        settings = replace(SETTINGS, backend=Backend.SQLITE, sqlite_path=log_dir / "users.db")
        spec = replace(spec, settings=settings)
    with (
        serve(spec, log_dir) as server,
        httpx.Client(base_url=server.url, timeout=10.0) as http,
    ):
        yield http


def _error_code(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    code: str = body["error"]["code"]
    return code


def _register(client: httpx.Client, user_id: str, email: str) -> httpx.Response:
    return client.post("/users", json={"id": user_id, "email": email, "name": "Ada"})


def test_health(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_register_and_get(client: httpx.Client) -> None:
    created = _register(client, "get-1", "get-1@example.com")
    assert created.status_code == 201
    assert created.json() == {
        "id": "get-1",
        "email": "get-1@example.com",
        "name": "Ada",
        "is_active": True,
    }
    fetched = client.get("/users/get-1")
    assert fetched.status_code == 200
    assert fetched.json() == created.json()


def test_register_generates_id(client: httpx.Client) -> None:
    response = client.post("/users", json={"email": "noid@example.com", "name": "Ada"})
    assert response.status_code == 201
    user_id = response.json()["id"]
    assert client.get(f"/users/{user_id}").status_code == 200


def test_register_taken_email_conflicts(client: httpx.Client) -> None:
    assert _register(client, "dup-1", "dup@example.com").status_code == 201
    response = _register(client, "dup-2", "dup@example.com")
    assert response.status_code == 409
    assert _error_code(response) == "conflict"
    assert client.get("/users/dup-2").status_code == 404


def test_deactivate_activate_cycle(client: httpx.Client) -> None:
    assert _register(client, "cycle-1", "cycle@example.com").status_code == 201
    deactivated = client.post("/users/cycle-1/deactivate")
    assert deactivated.status_code == 200
    assert deactivated.json()["is_active"] is False
    again = client.post("/users/cycle-1/deactivate")
    assert again.status_code == 409
    assert _error_code(again) == "conflict"
    activated = client.post("/users/cycle-1/activate")
    assert activated.status_code == 200
    assert activated.json()["is_active"] is True
    assert client.post("/users/cycle-1/activate").status_code == 409


def test_list_active(client: httpx.Client) -> None:
    assert _register(client, "list-1", "list-1@example.com").status_code == 201
    assert _register(client, "list-2", "list-2@example.com").status_code == 201
    assert client.post("/users/list-2/deactivate").status_code == 200
    response = client.get("/users", params={"limit": 1000})
    assert response.status_code == 200
    ids = [user["id"] for user in response.json()["users"]]
    assert "list-1" in ids
    assert "list-2" not in ids
    limited = client.get("/users", params={"limit": 1})
    assert len(limited.json()["users"]) == 1
    assert limited.json()["total"] >= 1


def test_change_email(client: httpx.Client) -> None:
    assert _register(client, "mail-1", "mail-1@example.com").status_code == 201
    assert _register(client, "mail-2", "mail-2@example.com").status_code == 201
    changed = client.put("/users/mail-1/email", json={"email": "mail-new@example.com"})
    assert changed.status_code == 200
    assert changed.json()["email"] == "mail-new@example.com"
    taken = client.put("/users/mail-1/email", json={"email": "mail-2@example.com"})
    assert taken.status_code == 409
    invalid = client.put("/users/mail-1/email", json={"email": "not-an-email"})
    assert invalid.status_code == 422
    assert _error_code(invalid) == "invalid_request"
    missing = client.put("/users/nobody/email", json={"email": "x@example.com"})
    assert missing.status_code == 404


def test_delete(client: httpx.Client) -> None:
    assert _register(client, "del-1", "del@example.com").status_code == 201
    deleted = client.delete("/users/del-1")
    assert deleted.status_code == 204
    assert client.get("/users/del-1").status_code == 404
    again = client.delete("/users/del-1")
    assert again.status_code == 404
    assert _error_code(again) == "not_found"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/users/nobody"),
        ("POST", "/users/nobody/deactivate"),
        ("POST", "/users/nobody/activate"),
        ("DELETE", "/users/nobody"),
        ("GET", "/no/such/route"),
    ],
)
def test_unknown_is_404(client: httpx.Client, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 404
    assert _error_code(response) == "not_found"


def test_wrong_method_is_405(client: httpx.Client) -> None:
    response = client.patch("/users/nobody")
    assert response.status_code == 405
    assert _error_code(response) == "method_not_allowed"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b"", 400, "malformed_json"),
        (b"\xff\xfe\x00", 400, "malformed_json"),
        (b"[" * 100_00 + b"]" * 100_00, 400, "malformed_json"),
        (b"[]", 422, "invalid_request"),
        (b'"just a string"', 422, "invalid_request"),
        (b'{"email": "a@example.com"}', 422, "invalid_request"),
        (b'{"email": 5, "name": "Ada"}', 422, "invalid_request"),
        (b'{"email": null, "name": "Ada"}', 422, "invalid_request"),
        (b'{"email": "a@example.com", "name": ["Ada"]}', 422, "invalid_request"),
        (b'{"email": "a@example.com", "name": "Ada", "role": "admin"}', 422, "invalid_request"),
        (b'{"email": "not-an-email", "name": "Ada"}', 422, "invalid_request"),
        (b'{"email": "a@example.com", "name": "   "}', 422, "invalid_request"),
        (b'{"email": "\\ud800@example.com", "name": "Ada"}', 422, "invalid_request"),
        (b'{"email": "a@example.com", "name": "\\udfff"}', 422, "invalid_request"),
        ('{"email": "ü@exämple.com", "name": "Ada"}'.encode(), 422, "invalid_request"),
        (b'{"id": "../etc", "email": "a@example.com", "name": "Ada"}', 422, "invalid_request"),
        (b'{"id": 7, "email": "a@example.com", "name": "Ada"}', 422, "invalid_request"),
    ],
)
def test_bad_register_body(client: httpx.Client, body: bytes, status: int, code: str) -> None:
    response = client.post("/users", content=body, headers=JSON)
    assert response.status_code == status
    assert _error_code(response) == code


def test_odd_unicode_name_is_accepted(client: httpx.Client) -> None:
    name = "Zoë 🙂 \u202e\u0000 名字"
    response = client.post("/users", json={"id": "uni-1", "email": "uni@example.com", "name": name})
    assert response.status_code == 201
    assert response.json()["name"] == name.strip()
    assert client.get("/users/uni-1").json()["name"] == name.strip()


def test_wrong_content_type_is_415(client: httpx.Client) -> None:
    response = client.post(
        "/users",
        content=b'{"email": "a@example.com", "name": "Ada"}',
        headers={"content-type": "text/plain"},
    )
    assert response.status_code == 415
    assert _error_code(response) == "unsupported_media"


def test_huge_body_is_413(client: httpx.Client) -> None:
    response = client.post("/users", content=b" " * (MAX_BODY_BYTES + 1), headers=JSON)
    assert response.status_code == 413
    assert _error_code(response) == "body_too_large"


@pytest.mark.parametrize(("method", "path"), [("GET", "/users?limit=abc"), ("POST", "/users")])
def test_huge_body_413_on_kept_connection(client: httpx.Client, method: str, path: str) -> None:
    # The app reads none of these bodies. A server that closes the socket with the body
    # unread resets the connection, so some responses would be lost.
    body = b" " * (4 * MAX_BODY_BYTES)
    for _ in range(30):
        response = client.request(method, path, content=body, headers=JSON)
        assert response.status_code == 413
        assert _error_code(response) == "body_too_large"


def test_huge_chunked_body_is_413(client: httpx.Client) -> None:
    # A raw socket, because a server may respond and close before the client sends it all,
    # which httpx reports as a protocol error instead of returning the response.
    url = httpx.URL(str(client.base_url))
    with socket.create_connection((url.host, url.port), timeout=10) as connection:
        connection.sendall(
            b"POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            for _ in range(MAX_BODY_BYTES // 8192 + 4):
                connection.sendall(b"2000\r\n" + b" " * 8192 + b"\r\n")
            connection.sendall(b"0\r\n\r\n")
        reply = connection.makefile("rb")
        status_line = reply.readline()
        headers = {}
        while (line := reply.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = reply.read(int(headers["content-length"]))
    assert status_line.split(b" ")[1] == b"413"
    assert json.loads(body)["error"]["code"] == "body_too_large"


@pytest.mark.parametrize("path", ["/users/%E2%98%83", "/users/" + "x" * 65, "/users/a%20b"])
def test_invalid_path_id_is_422(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert _error_code(response) == "invalid_request"


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1001", "1e3"])
def test_invalid_list_limit_is_422(client: httpx.Client, limit: str) -> None:
    response = client.get("/users", params={"limit": limit})
    assert response.status_code == 422
    assert _error_code(response) == "invalid_request"


def test_servers_stop_with_their_workers(tmp_path: Path) -> None:
    pids: list[int] = []
    with serve(SERVERS["sync-gunicorn"], tmp_path) as server:
        pids = server.pids()
        assert len(pids) == 2  # the gunicorn master and its one worker
    _assert_gone(pids)


def test_server_stops_after_an_error(tmp_path: Path) -> None:
    pids: list[int] = []

    def fail_while_serving() -> None:
        with serve(SERVERS["sync-gunicorn"], tmp_path) as server:
            pids.extend(server.pids())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_while_serving()
    assert len(pids) == 2
    _assert_gone(pids)


def _assert_gone(pids: list[int]) -> None:
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


@pytest.mark.parametrize("name", ["sync-gunicorn", "async-uvicorn-uvloop"])
def test_server_with_bad_settings_fails_cleanly(tmp_path: Path, name: str) -> None:
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with (
        pytest.raises(ServerError, match=r"exited|not ready"),
        serve(SERVERS[name], tmp_path, extra_env={"DDD_BENCH_BACKEND": "oracle"}),
    ):
        pass
    after = {p.pid for p in psutil.Process().children(recursive=True)}
    assert after <= before
    logs = "".join(path.read_text() for path in tmp_path.glob("server-*.log"))
    assert "DDD_BENCH_BACKEND" in logs
