"""Render a comparison as a rich table for a terminal and as Markdown for a CI comment."""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console
from rich.table import Table

from bench.compare import Comparison, Outcome, Status
from bench.i18n import text

# Statuses left out of the short table: nothing to act on.
QUIET_STATUSES = (Status.NO_CHANGE, Status.NOT_TESTED)

PIPED_WIDTH = 160  # columns for output to a file or CI log, where rich would assume 80

STATUS_STYLE = {
    Status.REGRESSION: "bold red",
    Status.IMPROVEMENT: "green",
    Status.SMALL_CHANGE: "",
    Status.NO_CHANGE: "dim",
    Status.INCONCLUSIVE: "yellow",
    Status.NOT_TESTED: "dim",
}


def _varying_params(comparisons: list[Comparison]) -> dict[str, list[str]]:
    """Return, per experiment, the params whose values differ between its points."""
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for comparison in comparisons:
        for name, value in comparison.base.params.items():
            seen[comparison.experiment][name].add(repr(value))
    return {
        experiment: [name for name, values in params.items() if len(values) > 1]
        for experiment, params in seen.items()
    }


def _point_label(comparison: Comparison, varying: dict[str, list[str]]) -> str:
    """Return the values of the params that tell this point from the others in its experiment."""
    names = varying.get(comparison.experiment, [])
    if "executor" in names:
        names = [name for name in names if name != "stack"]  # the executor implies the stack
    params = comparison.base.params
    values = [str(params[name]) for name in names if params.get(name) is not None]
    return " ".join(values) or "-"


def _experiment_label(experiment: str) -> str:
    """Return a pytest node id without its file path; other experiment ids as they are."""
    return experiment.rsplit("::", 1)[-1]


def _value(value: float, unit: str) -> str:
    return f"{value:.4g} {unit}".strip()


def _change(comparison: Comparison) -> str:
    if comparison.change is None:
        return "from 0"
    text = f"{comparison.change:+.1%}"
    if comparison.change_ci95 is not None:
        low, high = comparison.change_ci95
        text += f" [{low:+.1%}, {high:+.1%}]"
    return text


def _p_value(comparison: Comparison) -> str:
    return "-" if comparison.p_value is None else f"{comparison.p_value:.3f}"


def _spread(comparison: Comparison) -> str:
    parts = []
    for spread in (comparison.base.spread, comparison.new.spread):
        parts.append("-" if spread is None else f"{spread:.0%}")
    return " / ".join(parts)


def _verdict(comparison: Comparison) -> str:
    text = comparison.status.value
    if comparison.noisy:
        text += " (noisy)"
    return text


def _rows(outcome: Outcome) -> list[tuple[Comparison, list[str]]]:
    varying = _varying_params(outcome.comparisons)
    rows = []
    for comparison in outcome.comparisons:
        unit = comparison.base.unit
        rows.append(
            (
                comparison,
                [
                    _experiment_label(comparison.experiment),
                    _point_label(comparison, varying),
                    comparison.metric,
                    _value(comparison.base.median, unit),
                    _value(comparison.new.median, unit),
                    _change(comparison),
                    _p_value(comparison),
                    _spread(comparison),
                    _verdict(comparison),
                ],
            )
        )
    return rows


HEADERS = (
    "experiment",
    "point (params that differ)",
    "metric",
    "base median",
    "new median",
    "change [95% CI]",
    "p (Mann-Whitney)",
    "spread base / new",
    "verdict",
)


def _describe(comparison: Comparison, varying: dict[str, list[str]]) -> str:
    label = _point_label(comparison, varying)
    experiment = _experiment_label(comparison.experiment)
    where = experiment if label == "-" else f"{experiment} ({label})"
    change = "from a median of 0" if comparison.change is None else f"{comparison.change:+.1%}"
    return f"{comparison.metric} at {where}: {change}, p = {_p_value(comparison)}"


def summary_lines(outcome: Outcome) -> list[str]:
    """Return the verdict line, then one line per regression naming its metric and point."""
    regressions = outcome.regressions
    rule = f"more than {outcome.threshold:.0%} worse at p < {outcome.alpha}"
    if not regressions:
        return [
            f"No significant regression ({rule}) in {len(outcome.comparisons)} compared metrics."
        ]
    varying = _varying_params(outcome.comparisons)
    names = sorted({c.metric for c in regressions})
    lines = [
        f"REGRESSION: {len(regressions)} of {len(outcome.comparisons)} compared metrics are "
        f"{rule}; metrics: {', '.join(names)}."
    ]
    lines += [f"- {_describe(c, varying)}" for c in regressions]
    return lines


def noisy_worse_lines(outcome: Outcome) -> list[str]:
    """Return lines naming noisy metrics that look worse but cannot support a verdict."""
    noisy_worse = outcome.noisy_worse
    if not noisy_worse:
        return []
    varying = _varying_params(outcome.comparisons)
    lines = [
        f"{len(noisy_worse)} noisy metrics moved more than {outcome.threshold:.0%} the worse "
        f"way at p < {outcome.alpha} but are too noisy for a verdict, so they do not fail "
        "the comparison; rerun on a quieter machine to decide:"
    ]
    lines += [f"- {_describe(c, varying)}" for c in noisy_worse]
    return lines


def _noise_line(outcome: Outcome) -> str | None:
    noisy = outcome.noisy
    if not noisy:
        return None
    return (
        f"{len(noisy)} metrics are too noisy to support a verdict (the 95% interval of a "
        f"median reaches more than {outcome.threshold:.0%} either side of it); "
        f"{text('noise_advice', 'en')}"
    )


def print_table(outcome: Outcome, console: Console, show_all: bool = False) -> None:
    """Print the header, the table, the warnings and notes, and the verdict to `console`.

    Without `show_all` the table leaves out metrics with no significant change and
    metrics without raw values, and prints how many it left out.
    """
    if not console.is_terminal:
        console.width = max(console.width, PIPED_WIDTH)
    console.print(
        f"BASE {outcome.base.label} ({outcome.base.source})\nNEW  {outcome.new.label} "
        f"({outcome.new.source})",
        soft_wrap=True,
        highlight=False,
    )
    table = Table(show_lines=False)
    for header in HEADERS:
        no_wrap = header in ("experiment", "metric")
        table.add_column(header, overflow="fold", no_wrap=no_wrap)  # never cut an id short
    hidden = 0
    for comparison, cells in _rows(outcome):
        if not show_all and comparison.status in QUIET_STATUSES:
            hidden += 1
            continue
        table.add_row(*cells, style=STATUS_STYLE[comparison.status])
    if table.row_count:
        console.print(table)
    if hidden:
        console.print(
            f"{hidden} metrics with no significant change or no raw values are not shown; "
            "pass --all to list them",
            soft_wrap=True,
            highlight=False,
        )
    for warning in outcome.warnings:
        console.print(f"[yellow]warning:[/] {warning}", soft_wrap=True, highlight=False)
    noise = _noise_line(outcome)
    for note in [*outcome.notes, *([noise] if noise else [])]:
        console.print(f"note: {note}", soft_wrap=True, highlight=False, markup=False)
    for line in noisy_worse_lines(outcome):
        console.print(line, style="yellow", soft_wrap=True, highlight=False, markup=False)
    for line in summary_lines(outcome):
        style = "bold red" if outcome.regressions else "bold green"
        console.print(line, style=style, soft_wrap=True, highlight=False, markup=False)


def _markdown_table(rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for cells in rows:
        escaped = [cell.replace("|", "\\|") for cell in cells]
        lines.append("| " + " | ".join(escaped) + " |")
    return lines


def markdown(outcome: Outcome) -> str:
    """Return the comparison as Markdown: verdict first, changed metrics, then every metric."""
    mark = "❌" if outcome.regressions else "✅"
    summary = summary_lines(outcome)
    lines: list[str] = [
        "## ddd-bench compare",
        "",
        f"{mark} {summary[0]}",
        *summary[1:],
        "",
        f"Base `{outcome.base.label}`, new `{outcome.new.label}`. A regression is a change of "
        f"the median at least {outcome.threshold:.0%} in the worse direction with a two-sided "
        f"Mann-Whitney U p-value below {outcome.alpha}.",
        "",
    ]
    noisy_worse = noisy_worse_lines(outcome)
    if noisy_worse:
        lines += [f"⚠️ {noisy_worse[0]}", *noisy_worse[1:], ""]
    for warning in outcome.warnings:
        lines.append(f"> **Warning:** {warning}")
        lines.append("")
    noise = _noise_line(outcome)
    for note in [*outcome.notes, *([noise] if noise else [])]:
        lines += [f"> **Note:** {note}", ""]

    rows = _rows(outcome)
    notable = [cells for c, cells in rows if c.status not in QUIET_STATUSES]
    if notable:
        lines += ["### Changed or inconclusive metrics", "", *_markdown_table(notable), ""]
    lines += [
        "<details><summary>All compared metrics</summary>",
        "",
        *_markdown_table([cells for _, cells in rows]),
        "",
        "</details>",
        "",
    ]
    return "\n".join(lines)
