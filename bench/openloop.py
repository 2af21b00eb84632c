"""Open-loop load generator: registrations at a constant arrival rate, in its own process.

Request i is due at start + i / rate whether or not earlier requests have had a
response, and its latency is measured from that intended send time. A server that
falls behind therefore shows the queueing delay its clients would see, instead of
hiding it by slowing the generator down (coordinated omission). The run is bounded:
rate x duration requests, each with a timeout, and a drain period after the last.

    python -m bench.openloop --url http://127.0.0.1:8000 --rate 100 --duration 5 --out DIR
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
import psutil
import uvloop

from bench.http_workload import new_prefix, registration_body, write_samples
from bench.targets import TargetError, remote_allowed, require_loopback

MAX_REQUESTS = 1_000_000  # a hard cap on rate x duration, whatever the options request
DEFAULT_MAX_IN_FLIGHT = 1000  # open connections the generator may hold at once
DEFAULT_TIMEOUT_S = 10.0


async def _send_all(
    url: str, rate: float, count: int, max_in_flight: int, timeout_s: float
) -> tuple[list[tuple[float, float, bool]], list[float]]:
    """Send count registrations at rate per second; return the samples and the send lags."""
    prefix = new_prefix()
    samples: list[tuple[float, float, bool]] = []
    lags_ms: list[float] = []
    limits = httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight)
    # perf_counter, because uvloop's loop.time() only advances in whole milliseconds.
    clock = time.perf_counter
    wall_offset = time.time() - clock()

    # Requests over the cap wait here rather than in httpx's pool, whose bookkeeping
    # grows with the number of waiting requests and would slow the generator down.
    in_flight = asyncio.Semaphore(max_in_flight)

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout_s) as client:

        async def one(number: int, intended: float) -> None:
            lags_ms.append((clock() - intended) * 1000.0)
            failed = True
            try:
                async with in_flight:
                    response = await client.post("/users", json=registration_body(prefix, number))
                failed = response.status_code != 201
            except httpx.HTTPError:
                pass
            finally:
                # Also runs when the drain below cancels the request: it counts as failed.
                samples.append((intended + wall_offset, (clock() - intended) * 1000.0, failed))

        start = clock() + 0.05
        tasks = []
        for number in range(count):
            intended = start + number / rate
            delay = intended - clock()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(number, intended)))
        # Every request has its own timeout, so the drain ends within timeout_s plus a margin.
        _, pending = await asyncio.wait(tasks, timeout=timeout_s + 5.0)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    return samples, lags_ms


def run(
    url: str,
    rate: float,
    duration_s: float,
    out_dir: Path,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Path:
    """Run one open-loop phase and write its samples file into out_dir; return its path."""
    count = min(int(rate * duration_s), MAX_REQUESTS)
    process = psutil.Process()
    cpu_before = sum(process.cpu_times()[:2])
    wall_before = time.monotonic()
    samples, lags_ms = uvloop.run(_send_all(url, rate, count, max_in_flight, timeout_s))
    window = time.monotonic() - wall_before
    cpu = 100.0 * (sum(process.cpu_times()[:2]) - cpu_before) / window
    lags_ms.sort()
    lag_p99 = lags_ms[int(0.99 * (len(lags_ms) - 1))] if lags_ms else None
    extra = {"send_lag_p99_ms": lag_p99, "rate_rps": rate, "requests_planned": count}
    return write_samples(out_dir, "open-loop", samples, cpu, window, extra)


def _positive(kind: type[float] | type[int]) -> Callable[[str], float]:
    def parse(text: str) -> float | int:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid value {text!r}: expected a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"invalid value {text!r}: must be positive")
        return value

    return parse


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.openloop", description=__doc__)
    parser.add_argument("--url", required=True, help="server base URL, loopback only")
    parser.add_argument("--rate", type=_positive(float), required=True, help="requests per second")
    parser.add_argument("--duration", type=_positive(float), required=True, help="seconds")
    parser.add_argument("--out", type=Path, required=True, help="directory for the samples file")
    parser.add_argument(
        "--max-in-flight",
        type=_positive(int),
        default=DEFAULT_MAX_IN_FLIGHT,
        help=f"open connections at most (default {DEFAULT_MAX_IN_FLIGHT})",
    )
    parser.add_argument(
        "--timeout",
        type=_positive(float),
        default=DEFAULT_TIMEOUT_S,
        help=f"seconds per request (default {DEFAULT_TIMEOUT_S:.0f})",
    )
    parser.add_argument(
        "--allow-remote-target",
        action="store_true",
        help="allow a URL that is not loopback, to load a server you run on another machine",
    )
    args = parser.parse_args(argv)
    try:
        require_loopback(args.url, allow_remote=args.allow_remote_target or remote_allowed())
    except TargetError as error:
        parser.error(str(error))
    print(run(args.url, args.rate, args.duration, args.out, args.max_in_flight, args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
