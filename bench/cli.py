"""The ddd-bench command line: run, report and claims.

Exit status: 0 when every requested experiment ran, 1 when some failed (the report
names which and why), 2 on invalid usage with a message naming the bad value, and
130 when interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bench import compare_cli, history_cli, postgres, results, runner
from bench.i18n import DEFAULT_LANGUAGE, LANGUAGES
from bench.ledger import CLAIMS, CLAIMS_BY_ID
from bench.profiles import PROFILES
from core.policy import Backend

EXIT_USAGE = 2
AVAILABLE_BACKENDS = (Backend.MEMORY, Backend.SQLITE, Backend.POSTGRES)
DEFAULT_BACKENDS = "memory,sqlite"  # the embedded default: nothing to install or start
# C6 loads HTTP servers for about two minutes in smoke and ten in default. It runs only
# when named in --claims, so the default run still finishes in a few minutes.
OPT_IN_CLAIMS = ("C6",)
MAX_LOAD_WORKERS = 64


def _claim_list(text: str) -> tuple[str, ...]:
    claims = []
    for item in (part.strip().upper() for part in text.split(",")):
        if item not in CLAIMS_BY_ID:
            raise argparse.ArgumentTypeError(
                f"invalid claim {item!r}: choose from {', '.join(CLAIMS_BY_ID)} (comma-separated)"
            )
        if item not in claims:
            claims.append(item)
    return tuple(claims)


def _backend_list(text: str) -> tuple[Backend, ...]:
    backends = []
    names = ", ".join(b.value for b in Backend)
    for item in (part.strip().lower() for part in text.split(",")):
        try:
            backend = Backend(item)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"invalid backend {item!r}: choose from {names} (comma-separated)"
            ) from None
        if backend not in AVAILABLE_BACKENDS:
            raise argparse.ArgumentTypeError(
                f"backend {item!r} is not available in this version of ddd-bench: "
                f"use {', '.join(b.value for b in AVAILABLE_BACKENDS)}"
            )
        if backend not in backends:
            backends.append(backend)
    return tuple(backends)


def _language(text: str) -> str:
    if text not in LANGUAGES:
        raise argparse.ArgumentTypeError(
            f"invalid language {text!r}: choose from {', '.join(LANGUAGES)}"
        )
    return text


def _add_language(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        type=_language,
        default=DEFAULT_LANGUAGE,
        metavar="|".join(LANGUAGES),
        help="language of report.md and report.html; zh-CN writes report.zh-CN.md and "
        f"report.zh-CN.html (default: {DEFAULT_LANGUAGE})",
    )


def _load_workers(text: str) -> int:
    try:
        workers = int(text)
    except ValueError:
        workers = -1
    if not 0 <= workers <= MAX_LOAD_WORKERS:
        raise argparse.ArgumentTypeError(
            f"invalid worker count {text!r}: expected an integer from 0 to {MAX_LOAD_WORKERS}"
        )
    return workers


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ddd-bench",
        description="Check the sync-versus-async claims of a DDD guide on one shared domain model.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run experiments and write results.json, report.md and report.html"
    )
    run.add_argument(
        "--profile",
        choices=tuple(PROFILES),
        default="default",
        help="smoke: about a minute; default: a few minutes; full: for a quiet machine",
    )
    run.add_argument(
        "--claims",
        type=_claim_list,
        default=tuple(c.id for c in CLAIMS if c.id not in OPT_IN_CLAIMS),
        help="comma-separated claim ids to check, for example C3,C7 (default: all but "
        f"{', '.join(OPT_IN_CLAIMS)}, which loads HTTP servers for minutes and runs only "
        "when named)",
    )
    run.add_argument(
        "--backend",
        type=_backend_list,
        default=_backend_list(DEFAULT_BACKENDS),
        help=f"comma-separated backends (default: {DEFAULT_BACKENDS})",
    )
    run.add_argument(
        "--out",
        type=Path,
        help="run directory for results.json, the report and its plots (default: reports/<run-id>)",
    )
    run.add_argument(
        "--resume",
        nargs="?",
        const=True,
        default=None,
        metavar="DIR",
        help="continue the run in DIR (or --out), skipping experiments that finished",
    )
    run.add_argument("--seed", type=int, default=0, help="workload seed (default: 0)")
    run.add_argument(
        "--pg-dsn",
        default=None,
        metavar="DSN",
        help=f"existing PostgreSQL server for --backend postgres (default: ${postgres.DSN_ENV}, "
        "else a throwaway cluster that ddd-bench starts and deletes)",
    )
    _add_language(run)
    history_cli.add_run_option(run)
    run.add_argument(
        "--workers",
        type=_load_workers,
        default=0,
        help="locust worker processes for C6's closed-loop load: 0 runs locust in one process, "
        "N runs a locust master and N workers (default: 0)",
    )

    rebuild = commands.add_parser(
        "report", help="rebuild report.md, report.html and plots from DIR/results.json alone"
    )
    rebuild.add_argument("dir", type=Path, help="run directory that contains results.json")
    _add_language(rebuild)
    rebuild.add_argument(
        "--rejudge",
        action="store_true",
        help="judge the claims again from the stored measurements with this version of "
        "ddd-bench and save the new verdicts in results.json before rendering",
    )

    commands.add_parser("claims", help="list the claims and the experiments that check them")
    compare_cli.add_parser(commands)
    history_cli.add_parser(commands)
    return parser


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser, argv: Sequence[str]) -> int:
    out_dir: Path | None = args.out
    resume = args.resume is not None
    if isinstance(args.resume, str):
        if out_dir is not None and out_dir != Path(args.resume):
            parser.error(f"--resume {args.resume} and --out {out_dir} name different directories")
        out_dir = Path(args.resume)
    if resume and (out_dir is None or not (out_dir / "results.json").exists()):
        parser.error(
            f"--resume: no results.json in {out_dir}; pass the directory of an earlier run"
        )
    if Backend.POSTGRES in args.backend:
        try:
            postgres.check_available(args.pg_dsn)
        except postgres.PostgresUnavailable as error:
            parser.exit(EXIT_USAGE, f"ddd-bench run: --backend postgres: {error}\n")
    if out_dir is None:
        out_dir = Path("reports") / runner.new_run_id(args.profile)
    options = runner.RunOptions(
        profile=PROFILES[args.profile],
        claims=args.claims,
        backends=args.backend,
        out_dir=out_dir.resolve(),
        resume=resume,
        argv=("ddd-bench", *_redacted(argv)),
        seed=args.seed,
        pg_dsn=args.pg_dsn,
        lang=args.lang,
        load_workers=args.workers,
    )
    status = runner.run(options)
    if args.history is not None and status != runner.EXIT_INTERRUPTED:
        history_status = history_cli.append_run(options.out_dir, args.history)
        status = status or history_status
    return status


def _redacted(argv: Sequence[str]) -> list[str]:
    """Return argv with any --pg-dsn password replaced, since results.json records argv."""
    redacted = list(argv)
    for index, item in enumerate(redacted):
        if item == "--pg-dsn" and index + 1 < len(redacted):
            redacted[index + 1] = postgres.redact_dsn(redacted[index + 1])
        elif item.startswith("--pg-dsn="):
            redacted[index] = "--pg-dsn=" + postgres.redact_dsn(item.split("=", 1)[1])
    return redacted


def _claims() -> int:
    for claim in CLAIMS:
        experiments = ", ".join(claim.experiments) or "no experiment yet"
        print(f"{claim.id}  {claim.claimed:<20} {claim.claim_en}")
        print(f"     {claim.quote_zh}")
        print(f"     experiments: {experiments}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "run":
        try:
            return _run(args, parser, argv)
        except KeyboardInterrupt:
            print("ddd-bench run: interrupted before the experiments started", file=sys.stderr)
            return runner.EXIT_INTERRUPTED
    if args.command == "report":
        try:
            path = runner.rebuild_report(args.dir, args.lang, rejudge=args.rejudge)
        except results.ResultsError as error:
            print(f"ddd-bench report: {error}", file=sys.stderr)
            return EXIT_USAGE
        print(path)
        print(path.with_suffix(".html"))
        return 0
    if args.command == "compare":
        return compare_cli.run(args)
    if args.command == "history":
        return history_cli.run(args)
    return _claims()


if __name__ == "__main__":
    sys.exit(main())
