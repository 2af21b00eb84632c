"""pyperf benchmark script for one timed case; run as `python -m bench.pyperf_worker`.

The harness starts it with `--case FILE`; pyperf then re-runs this module as its
worker processes, each of which times the case and reports to the manager.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyperf

from bench.timed_cases import FACTORIES


def _forward_case(command: list[str], args: Any) -> None:
    command.extend(("--case", args.case))


def main() -> None:
    runner = pyperf.Runner(
        program_args=("-m", "bench.pyperf_worker"), add_cmdline_args=_forward_case
    )
    runner.argparser.add_argument("--case", required=True, help="JSON file that describes the case")
    args = runner.parse_args()
    case = json.loads(Path(args.case).read_text(encoding="utf-8"))
    runner.bench_time_func(case["name"], FACTORIES[case["kind"]](case))


if __name__ == "__main__":
    main()
