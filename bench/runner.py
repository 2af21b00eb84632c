"""Run the requested experiments, save results after each one, then judge and report."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from bench import environment, postgres, report, results
from bench.experiments import EXPERIMENTS, Case, Context
from bench.i18n import DEFAULT_LANGUAGE
from bench.ledger import CLAIMS
from bench.profiles import Profile
from bench.verdicts import judge
from core.policy import Backend

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130  # the shell's convention for a run stopped by SIGINT


@dataclass(frozen=True)
class RunOptions:
    profile: Profile
    claims: tuple[str, ...]
    backends: tuple[Backend, ...]
    out_dir: Path
    resume: bool
    argv: tuple[str, ...]
    seed: int = 0
    pg_dsn: str | None = None  # an existing server; None starts a throwaway cluster
    lang: str = DEFAULT_LANGUAGE  # the language of the report; results.json is the same
    load_workers: int = 0  # locust worker processes for the HTTP experiment; 0 runs one process


def new_run_id(profile: str) -> str:
    return f"{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}-{profile}"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _claims_entries(experiments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    entries = []
    for claim in CLAIMS:
        verdict = judge(claim.id, experiments)
        entry = {
            "id": claim.id,
            "quote_zh": claim.quote_zh,
            "claim_en": claim.claim_en,
            "claimed": claim.claimed,
            "verdict": verdict.verdict,
            "reason": verdict.reason,
            "experiments": list(claim.experiments),
            "headline": verdict.headline,
        }
        if verdict.reason_zh:
            entry["reason_zh"] = verdict.reason_zh
        entries.append(entry)
    return entries


def _point_latest(out_dir: Path) -> None:
    """Point reports/latest at this run when it lives directly under a reports directory."""
    if out_dir.parent.name != "reports":
        return
    latest = out_dir.parent / "latest"
    try:
        if latest.is_symlink() or latest.exists():
            latest.unlink()
        latest.symlink_to(out_dir.name, target_is_directory=True)
    except OSError as error:
        logger.warning("could not update %s: %s", latest, error)


def _configure_logging(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _initial_results(options: RunOptions) -> results.Results:
    existing = options.out_dir / "results.json"
    if options.resume and existing.exists():
        loaded = results.load(existing)
        loaded["run"]["finished"] = None
        return loaded
    return {
        "schema_version": results.SCHEMA_VERSION,
        "run": {
            "id": options.out_dir.name,
            "profile": options.profile.name,
            "started": _now(),
            "finished": None,
            "argv": list(options.argv),
            "config": {
                "claims": list(options.claims),
                "backends": [b.value for b in options.backends],
                "seed": options.seed,
                "load_workers": options.load_workers,
                "profile": options.profile.as_dict(),
            },
        },
        "environment": environment.capture(),
        "claims": [],
        "experiments": [],
    }


def _save(run_results: results.Results, out_dir: Path) -> None:
    run_results["claims"] = _claims_entries(run_results["experiments"])
    results.write_atomic(out_dir / "results.json", run_results)


class Interrupted(KeyboardInterrupt):
    """SIGTERM arrived; handled like Ctrl-C so the same clean-up runs."""


def _raise_interrupted(signum: int, frame: object) -> None:
    raise Interrupted(f"received signal {signum}")


def _existing_record(run_results: results.Results, experiment_id: str) -> dict[str, Any] | None:
    return next((e for e in run_results["experiments"] if e["id"] == experiment_id), None)


def _store_record(run_results: results.Results, record: dict[str, Any], out_dir: Path) -> None:
    others = [e for e in run_results["experiments"] if e["id"] != record["id"]]
    run_results["experiments"] = [*others, record]
    _save(run_results, out_dir)


def _run_experiment(
    experiment: Any,
    cases: list[Case],
    context: Context,
    run_results: results.Results,
    progress: Progress,
    overall: TaskID,
) -> bool:
    """Measure every case not measured yet, saving after each; return True if interrupted."""
    out_dir = context.out_dir
    previous = _existing_record(run_results, experiment.ID)
    points: list[dict[str, Any]] = list(previous["points"]) if previous else []
    done = [p["params"] for p in points]
    todo = [c for c in cases if c.params not in done]
    record: dict[str, Any] = {
        "id": experiment.ID,
        "claim": experiment.CLAIM,
        "status": "failed",
        "error": None,
        "setup": experiment.describe(context),
        "points": points,
    }
    task = progress.add_task(experiment.ID, total=len(cases), completed=len(cases) - len(todo))
    progress.advance(overall, len(cases) - len(todo))
    logger.info(
        "starting experiment %s: %d cases, %d already measured",
        experiment.ID,
        len(cases),
        len(cases) - len(todo),
    )
    if not cases:
        backends = ", ".join(b.value for b in context.backends)
        record["status"] = "skipped"
        record["error"] = (
            f"no case for the backends of this run ({backends}); this experiment needs "
            "another backend, for example --backend postgres"
        )
        # Marks the bar finished, so its timer stops instead of running to the end of the run.
        progress.update(task, description=f"{experiment.ID}: skipped", completed=0)
        progress.console.print(f"{experiment.ID}: skipped, {record['error']}")
        _store_record(run_results, record, out_dir)
        logger.info("experiment %s skipped: no case for backends %s", experiment.ID, backends)
        return False
    progress.console.print(f"{experiment.ID}: {len(todo)} of {len(cases)} cases to measure")
    interrupted = False
    try:
        for number, case in enumerate(todo, start=1):
            progress.update(task, description=f"{experiment.ID}: {case.name}")
            points.append(experiment.measure(case, context))
            # Until the last case lands, the saved record shows how far it got.
            if number < len(todo):
                record["error"] = f"incomplete: {len(points)} of {len(cases)} cases finished"
                _store_record(run_results, record, out_dir)
            progress.advance(task)
            progress.advance(overall)
        record["points"] = experiment.derive(points)
        record["status"] = "ok"
        record["error"] = None
    except KeyboardInterrupt:
        record["error"] = (
            f"interrupted after {len(points)} of {len(cases)} cases; "
            "continue with ddd-bench run --resume"
        )
        interrupted = True
    except Exception as error:
        logger.exception("experiment %s failed", experiment.ID)
        record["error"] = f"{type(error).__name__}: {error}"
    progress.update(task, description=f"{experiment.ID}: {record['status']}")
    progress.console.print(f"{experiment.ID}: {record['status']}")
    _store_record(run_results, record, out_dir)
    logger.info("experiment %s %s", experiment.ID, record["status"])
    return interrupted


def run(options: RunOptions, console: Console | None = None) -> int:
    """Run the experiments, with a PostgreSQL server for the run when postgres is requested."""
    options.out_dir.mkdir(parents=True, exist_ok=True)
    _configure_logging(options.out_dir / "ddd-bench.log")
    with contextlib.ExitStack() as resources:
        extra: dict[str, Any] = {}
        if Backend.POSTGRES in options.backends:
            server = resources.enter_context(postgres.postgres_server(options.pg_dsn))
            extra = {"pg_dsn": server.dsn, "postgres": server.settings}
        return _run_experiments(options, console or Console(stderr=True), extra)


def _run_experiments(options: RunOptions, console: Console, extra: dict[str, Any]) -> int:
    out_dir = options.out_dir
    context = Context(
        options.profile,
        out_dir,
        options.backends,
        options.seed,
        extra={**extra, "load_workers": options.load_workers},
    )
    run_results = _initial_results(options)
    if "postgres" in extra:
        run_results["run"]["config"]["postgres"] = extra["postgres"]
    finished = {e["id"] for e in run_results["experiments"] if e["status"] == "ok"}

    selected = [e for e in EXPERIMENTS.values() if e.CLAIM in options.claims]
    measured_claims = {e.CLAIM for e in selected}
    for claim_id in options.claims:
        if claim_id not in measured_claims:
            console.print(f"[yellow]{claim_id} has no experiment yet, so it stays not-checked[/]")
    for experiment in selected:
        if experiment.ID in finished:
            console.print(f"skipping {experiment.ID}: finished in {out_dir / 'results.json'}")
            logger.info("resume: skipping finished experiment %s", experiment.ID)
    pending = [e for e in selected if e.ID not in finished]
    plans: dict[str, list[Case]] = {e.ID: e.plan(context) for e in pending}
    _save(run_results, out_dir)

    previous_handler = signal.signal(signal.SIGTERM, _raise_interrupted)
    interrupted = False
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=False) as progress:
            overall = progress.add_task("all cases", total=sum(len(p) for p in plans.values()))
            for experiment in pending:
                interrupted = _run_experiment(
                    experiment, plans[experiment.ID], context, run_results, progress, overall
                )
                if interrupted:
                    break
    except KeyboardInterrupt:
        # A second interrupt can land between experiments; what finished is saved already.
        interrupted = True
    finally:
        signal.signal(signal.SIGTERM, previous_handler)

    run_results["run"]["finished"] = _now()
    _save(run_results, out_dir)
    shutil.rmtree(context.scratch_dir, ignore_errors=True)
    report_path = report.render(run_results, out_dir, options.lang)
    if any(e["status"] == "ok" and e["points"] for e in run_results["experiments"]):
        _point_latest(out_dir)  # a run that measured nothing leaves the last real run there
    _print_summary(console, run_results, report_path, options.lang)

    if interrupted:
        console.print(
            f"[red]interrupted: the report covers what finished; continue with "
            f"ddd-bench run --resume {out_dir}[/]"
        )
        return EXIT_INTERRUPTED
    # A skipped experiment had nothing to run with these backends; it is not a failure.
    if any(e["status"] == "failed" for e in run_results["experiments"]):
        return EXIT_FAILED
    return EXIT_OK


def _print_summary(
    console: Console, run_results: results.Results, report_path: Path, lang: str
) -> None:
    for claim in run_results["claims"]:
        reason, _ = report.claim_reason(claim, lang)
        console.print(f"{claim['id']:>3}  {claim['verdict']:<12} {reason}", soft_wrap=True)
    console.print(f"report: {report_path}")
    console.print(f"report (HTML): {report_path.with_suffix('.html')}")
    console.print(f"results: {report_path.parent / 'results.json'}")


def rebuild_report(run_dir: Path, lang: str = DEFAULT_LANGUAGE, rejudge: bool = False) -> Path:
    """Render the report in lang again from run_dir/results.json alone.

    With rejudge, judge every claim again from the stored points and save the new
    verdicts in results.json first. The measurements are left unchanged.
    """
    results_path = run_dir / "results.json" if run_dir.is_dir() else run_dir
    loaded = results.load(results_path)
    if rejudge:
        loaded["claims"] = _claims_entries(loaded["experiments"])
        results.write_atomic(results_path, loaded)
    return report.render(loaded, results_path.parent, lang)


__all__ = ["RunOptions", "new_run_id", "rebuild_report", "run"]
