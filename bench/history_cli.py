"""The `ddd-bench history` command, and the `run --history` option that feeds it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bench import compare, history, results

EXIT_USAGE = 2


def add_run_option(run_parser: argparse.ArgumentParser) -> None:
    """Add --history to `ddd-bench run`."""
    run_parser.add_argument(
        "--history",
        type=Path,
        metavar="PATH",
        help=f"append the run's headline figures and raw values to this JSON-lines file "
        f"(for example {history.DEFAULT_PATH})",
    )


def add_parser(commands: Any) -> None:
    """Add the history subcommand to the ddd-bench subparsers."""
    parser = commands.add_parser(
        "history",
        help="plot each headline figure over the runs in a history file",
        description=(
            "Plot each headline figure over the runs recorded in a history file, marking "
            "runs where compare found a significant change against the run before."
        ),
    )
    parser.add_argument(
        "path",
        type=Path,
        nargs="?",
        default=history.DEFAULT_PATH,
        metavar="PATH",
        help=f"history file (default: {history.DEFAULT_PATH})",
    )
    parser.add_argument(
        "--add",
        type=Path,
        action="append",
        default=[],
        metavar="RUN",
        help="append a run (directory or results.json) to PATH first; repeat for several",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="PNG file for the plot (default: PATH with the suffix .png)",
    )


def append_run(out_dir: Path, path: Path) -> int:
    """Append a finished run to the history; return 0, or 2 with a message on bad input."""
    try:
        entry = history.append(results.load(out_dir), path)
    except results.ResultsError as error:
        print(f"ddd-bench history: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"history: appended {entry['run_id']} to {path}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Append the --add runs, then plot the history and list the significant changes."""
    for run_dir in args.add:
        status = append_run(run_dir, args.path)
        if status != 0:
            return status
    out_path: Path = args.out or args.path.with_suffix(".png")
    try:
        entries = history.load(args.path)
        changes = history.significant_changes(entries, args.path)
        names = history.plot(entries, changes, out_path)
    except compare.CompareInputError as error:
        print(f"ddd-bench history: {error}", file=sys.stderr)
        return EXIT_USAGE

    print(f"{len(entries)} runs, {len(names)} headline figures: {out_path}")
    for change in changes:
        if change.regressions:
            regressed = ", ".join(change.regressions)
            print(f"run {change.index} {change.run_id}: regression in {regressed}")
        if change.improvements:
            print(
                f"run {change.index} {change.run_id}: improvement in "
                f"{', '.join(change.improvements)}"
            )
    if not changes:
        print("no significant change between consecutive runs")
    return 0
