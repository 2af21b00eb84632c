"""The `ddd-bench compare` command: arguments, exit status and where the output goes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import compare, compare_output

EXIT_SAME = 0
EXIT_REGRESSION = 1
EXIT_USAGE = 2


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid percentage {text!r}: pass a number such as 10 for 10%"
        ) from None
    if not 0 < value < 1000:
        raise argparse.ArgumentTypeError(f"invalid percentage {text!r}: use a value above 0")
    return value / 100


def _alpha(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"invalid significance level {text!r}: pass a number between 0 and 1, such as 0.05"
        )
    return value


def add_parser(commands: Any) -> None:
    """Add the compare subcommand to the ddd-bench subparsers."""
    parser = commands.add_parser(
        "compare",
        help="compare two runs; exit 1 on a significant regression",
        description=(
            "Compare two runs point by point and metric by metric. Each of BASE and NEW is a "
            "run directory, its results.json, or a pytest-benchmark JSON file. Exit status: "
            "0 no significant regression, 1 a significant regression, 2 invalid input."
        ),
    )
    parser.add_argument("base", type=Path, metavar="BASE", help="the baseline run")
    parser.add_argument("new", type=Path, metavar="NEW", help="the run to check")
    parser.add_argument(
        "--threshold",
        type=_percent,
        default=compare.DEFAULT_THRESHOLD,
        metavar="PERCENT",
        help=(
            "minimum change of a median, in per cent, that counts as a regression "
            f"(default: {compare.DEFAULT_THRESHOLD * 100:.0f}, as asv compare's default factor "
            "1.1; a lower value fails more often on drift between runs)"
        ),
    )
    parser.add_argument(
        "--alpha",
        type=_alpha,
        default=compare.DEFAULT_ALPHA,
        help=f"significance level of the Mann-Whitney U test (default: {compare.DEFAULT_ALPHA})",
    )
    parser.add_argument(
        "--format",
        choices=("table", "markdown"),
        default="table",
        help="standard output as a table (default) or as Markdown for a CI comment",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="list every compared metric in the table, not only changed or inconclusive ones",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        metavar="FILE",
        help="also write the Markdown comparison to FILE",
    )


def run(args: argparse.Namespace) -> int:
    """Run the comparison; return 0, 1 (regression) or 2 (invalid input)."""
    try:
        base = compare.load_run(args.base)
        new = compare.load_run(args.new)
        outcome = compare.compare_runs(base, new, threshold=args.threshold, alpha=args.alpha)
    except compare.CompareInputError as error:
        print(f"ddd-bench compare: {error}", file=sys.stderr)
        return EXIT_USAGE

    if args.format == "markdown":
        print(compare_output.markdown(outcome))
    else:
        compare_output.print_table(outcome, Console(), show_all=args.all)
    if args.markdown is not None:
        try:
            args.markdown.parent.mkdir(parents=True, exist_ok=True)
            args.markdown.write_text(compare_output.markdown(outcome), encoding="utf-8")
        except OSError as error:
            print(f"ddd-bench compare: cannot write {args.markdown}: {error}", file=sys.stderr)
            return EXIT_USAGE
    return EXIT_REGRESSION if outcome.regressions else EXIT_SAME
