"""Pure parts of the HTTP layer: validation, settings, targets, load summaries, C6 verdict."""

from __future__ import annotations

from typing import Any

import pytest

from bench.experiments.c6_http_latency import derive, service_time_ms
from bench.load import summarise
from bench.results import metric
from bench.servers import server_cpus
from bench.targets import TargetError, require_loopback
from bench.verdicts import judge_c6
from core import http_api
from core.app_settings import AppSettings, SettingsError
from core.errors import (
    EmailAlreadyInUse,
    EventDeliveryFailed,
    InvalidEmail,
    UserAlreadyActive,
    UserNotFound,
)
from core.policy import Backend


def test_register_command_uses_new_id() -> None:
    command = http_api.register_command({"email": "a@example.com", "name": "Ada"}, "gen-1")
    assert command.user_id == "gen-1"
    assert command.email == "a@example.com"


def test_register_command_keeps_given_id() -> None:
    payload = {"id": "u-1", "email": "a@example.com", "name": "Ada"}
    assert http_api.register_command(payload, "gen-1").user_id == "u-1"


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "Ada"},
        {"email": ["a@example.com"], "name": "Ada"},
        {"email": "a@example.com", "name": "Ada", "extra": 1},
        {"id": "", "email": "a@example.com", "name": "Ada"},
        {"id": "a/b", "email": "a@example.com", "name": "Ada"},
        {"email": "\ud800@example.com", "name": "Ada"},
    ],
)
def test_register_command_rejects(payload: dict[str, Any]) -> None:
    with pytest.raises(http_api.ApiError) as raised:
        http_api.register_command(payload, "gen-1")
    assert raised.value.status == 422


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{}", "text/plain", 415),
        (b"{}", None, 415),
        (b"{", "application/json", 400),
        (b"\xff", "application/json", 400),
        (b"1", "application/json", 422),
        (b" " * (http_api.MAX_BODY_BYTES + 1), "application/json", 413),
    ],
)
def test_parse_json_object_errors(body: bytes, content_type: str | None, status: int) -> None:
    with pytest.raises(http_api.ApiError) as raised:
        http_api.parse_json_object(body, content_type)
    assert raised.value.status == status
    assert raised.value.body()["error"]["message"]


def test_parse_json_object_accepts_charset() -> None:
    assert http_api.parse_json_object(b'{"a": 1}', "application/json; charset=utf-8") == {"a": 1}


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (UserNotFound("u"), 404),
        (EmailAlreadyInUse("a@example.com"), 409),
        (UserAlreadyActive("u"), 409),
        (InvalidEmail("x"), 422),
        (EventDeliveryFailed(()), 500),
    ],
)
def test_error_for_maps_status(error: Exception, status: int) -> None:
    assert http_api.error_for(error).status == status  # type: ignore[arg-type]


def test_settings_round_trip_through_env() -> None:
    settings = AppSettings(handler_ms=100.0, handlers_per_event=3, pool_size=4)
    assert AppSettings.from_env(settings.to_env()) == settings


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DDD_BENCH_BACKEND", "oracle"),
        ("DDD_BENCH_HANDLER_MS", "fast"),
        ("DDD_BENCH_HANDLER_MS", "-1"),
        ("DDD_BENCH_HANDLERS_PER_EVENT", "0"),
        ("DDD_BENCH_POOL_SIZE", "1.5"),
        ("DDD_BENCH_BACKEND", "sqlite"),
    ],
)
def test_settings_reject_bad_env(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=r"DDD_BENCH_|invalid"):
        AppSettings.from_env({name: value})


def test_sqlite_settings_need_path() -> None:
    with pytest.raises(SettingsError, match="SQLITE_PATH"):
        AppSettings(backend=Backend.SQLITE)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://127.9.9.9", "http://[::1]:80", "http://localhost:1"]
)
def test_loopback_targets_allowed(url: str) -> None:
    assert require_loopback(url) == url


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1", "http://192.168.1.1", "http://example.com", "ftp://127.0.0.1", "x"]
)
def test_other_targets_rejected(url: str) -> None:
    with pytest.raises(TargetError):
        require_loopback(url)


def test_remote_target_allowed_by_flag() -> None:
    assert require_loopback("http://10.0.0.1:80", allow_remote=True) == "http://10.0.0.1:80"


def test_server_cpus_split() -> None:
    assert server_cpus(1, 2) == ((0,), (1,))
    assert server_cpus(2, 2) == (None, None)
    assert server_cpus(1, 1) == (None, None)


def test_summarise_drops_warmup_and_counts_failures() -> None:
    samples = [[100.0 + i * 0.1, 10.0, i % 10 == 0] for i in range(50)]
    result = summarise(
        [{"samples": samples, "cpu_percent": 12.0}, {"samples": [], "cpu_percent": 95.0}]
    )
    assert result.requests == 40  # the first second contains 10 of the 50 samples
    assert result.failures == 4
    # Responses end 10 ms after their start, so 40 arrive after the warm-up and 4 of them failed.
    assert result.completed == 36
    assert result.throughput_rps == pytest.approx(36 / (104.9 + 0.01 - 101.0))
    assert result.generator_cpu_percent == 95.0
    assert result.saturated
    assert result.percentile(50) == pytest.approx(10.0)


def test_service_time_sync_runs_handlers_in_turn() -> None:
    assert service_time_ms("sync", 100.0, 3) == pytest.approx(302.0)
    assert service_time_ms("async", 100.0, 3) == pytest.approx(102.0)
    assert service_time_ms("async", 0.0, 3) == pytest.approx(2.0)


def c6_point(
    stack: str, executor: str, threads: int | None, users: int, p50: float, saturated: int = 0
) -> dict[str, Any]:
    values = [p50 * 0.9, p50, p50 * 1.1]
    return {
        "params": {
            "stack": stack,
            "executor": executor,
            "server_threads": threads,
            "server_processes": 1,
            "policy": "as-written",
            "users": users,
            "concurrency": users,
            "load": "closed-loop",
            "handler_ms": 100.0,
            "handlers_per_event": 1,
        },
        "metrics": {
            "latency_p50_ms": p50,
            "latency_p99_ms": p50 * 1.2,
            "latency_mean_ms": p50,
            "latency_ms": metric(values, "ms"),
            "throughput_rps": 1000.0 * users / p50,
            "requests": 500,
            "failures": 0,
            "generator_cpu_percent": 95.0 if saturated else 10.0,
            "generator_saturated": saturated,
        },
    }


def test_judge_c6_conditional_on_threads() -> None:
    points = [
        c6_point("sync", "threads", 8, 50, 600.0),
        c6_point("sync", "threads", 64, 50, 110.0),
        c6_point("async", "uvloop", None, 50, 105.0),
    ]
    verdict = judge_c6(points)
    assert verdict.verdict == "conditional"
    assert "8 threads" in verdict.reason
    assert "c6_p50_ratio_best_threads_as_written_u50_p1" in verdict.headline


def test_judge_c6_confirmed_and_refuted() -> None:
    slow_sync = [
        c6_point("sync", "threads", 8, 50, 400.0),
        c6_point("async", "asyncio", None, 50, 100.0),
    ]
    assert judge_c6(slow_sync).verdict == "confirmed"
    even = [
        c6_point("sync", "threads", 64, 50, 105.0),
        c6_point("async", "asyncio", None, 50, 100.0),
    ]
    assert judge_c6(even).verdict == "refuted"


def test_judge_c6_leaves_out_saturated_points() -> None:
    points = [
        c6_point("sync", "threads", 8, 50, 600.0, saturated=1),
        c6_point("async", "uvloop", None, 50, 105.0),
    ]
    verdict = judge_c6(points)
    assert verdict.verdict == "not-checked"
    assert "1 of 2" in verdict.reason


def test_derive_adds_littles_law_bound() -> None:
    points = derive(
        [c6_point("sync", "threads", 8, 50, 600.0), c6_point("async", "uvloop", None, 50, 105.0)]
    )
    assert points[0]["metrics"]["littles_law_bound_rps"] == pytest.approx(1000.0 * 8 / 102.0)
    assert points[1]["metrics"]["littles_law_bound_rps"] == pytest.approx(1000.0 * 50 / 102.0)
