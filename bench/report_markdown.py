"""Render the report model as Markdown: report.md, with the plots as PNG links."""

from __future__ import annotations

from bench.i18n import text
from bench.report_model import ClaimSection, Pairs, Report, Summary, Table

VERDICT_MARK = {
    "confirmed": "{}",
    "refuted": "**{}**",
    "conditional": "*{}*",
    "not-checked": "{}",
}


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in table.header) + " |"]
    lines.append("|" + "---|" * len(table.header))
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return lines


def _pairs(pairs: Pairs) -> list[str]:
    return [f"- {label}: {value}" for label, value in pairs]


def _summary(summary: Summary, lang: str) -> list[str]:
    lines = [f"## {text('what_it_means', lang)}", "", summary.counts, ""]
    for item in summary.items:
        phrase = VERDICT_MARK[item.verdict].format(item.phrase)
        claim = f"[{item.claim_id}](#{item.anchor})"
        lines.append(
            "- " + text("summary_item", lang, claim=claim, topic=item.topic, phrase=phrase)
        )
        if item.figures:
            figures = text("list_separator", lang).join(item.figures) + text("sentence_end", lang)
            lines.append(f"  {text('summary_figures', lang)}{figures}")
        if item.conditions:
            lines.append(f"  {text('summary_conditions', lang)}{item.conditions}")
        if item.advice:
            lines.append(f"  {text('summary_advice', lang)}{item.advice}")
    if summary.not_checked:
        lines += ["", summary.not_checked]
    return [*lines, ""]


def _claim(section: ClaimSection, lang: str) -> list[str]:
    verdict = VERDICT_MARK[section.verdict].format(section.verdict_label)
    lines = [
        f'<a id="{section.anchor}"></a>',
        "",
        f"## {text('claim_heading', lang, claim=section.claim_id, title=section.title)}",
        "",
        f"> {section.quote_zh}",
        ">",
        f"> {section.claim_en}",
        "",
        text("claimed_verdict", lang, claimed=section.claimed, verdict=verdict),
        "",
    ]
    for experiment in section.experiments:
        heading = f"{text('experiment', lang)} `{experiment.id}` ({experiment.status_label})"
        lines += [f"### {heading}", ""]
        if experiment.error:
            label = "skipped_because" if experiment.status == "skipped" else "failed_with"
            lines += [f"{text(label, lang)}{experiment.error}", ""]
        if experiment.setup:
            lines += [f"{text('setup', lang)}:", "", *_pairs(experiment.setup), ""]
        if experiment.table is not None:
            lines += [*_table(experiment.table), ""]
    for plot in section.plots:
        lines += [plot.alt if plot.failed else f"![{plot.alt}]({plot.file_name})", ""]
    lines += [f"{text('reason', lang)}{section.reason_note}{section.reason}", ""]
    return lines


def render(report: Report) -> str:
    """Return report.md's text."""
    lang = report.lang
    lines = [
        f"# {report.title}",
        "",
        report.run_line,
        report.machine_line,
        f"{text('command_line', lang)}`{report.command}`",
        "",
        f"## {text('verdicts', lang)}",
        "",
    ]
    header = [text(k, lang) for k in ("col_claim", "col_quote", "col_claimed", "col_verdict")]
    lines += [
        "| " + " | ".join([*header, text("col_reason", lang)]) + " |",
        "|---|---|---|---|---|",
    ]
    for row in report.verdicts:
        cells = [
            f"[{row.claim_id}](#{row.anchor})",
            _cell(row.quote_zh),
            _cell(row.claimed),
            VERDICT_MARK[row.verdict].format(row.verdict_label),
            _cell(row.reason),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if report.unfinished:
        lines += ["", text("unfinished", lang), ""]
        lines += [f"- {line}" for line in report.unfinished]
    lines += ["", text("statistics_note", lang), ""]
    lines += _summary(report.summary, lang)
    if report.plot_note:
        lines += [report.plot_note, ""]

    for section in report.claims:
        lines += _claim(section, lang)

    if report.noise is not None:
        lines += [f"## {text('noise', lang)}", "", report.noise.intro, ""]
        if report.noise.table is not None:
            lines += [*_table(report.noise.table), ""]
    lines += [f"## {text('environment', lang)}", "", *_pairs(report.environment), ""]
    lines += [f"## {text('command_and_configuration', lang)}", ""]
    lines += [f"{text('command', lang)}:", "", "```", report.command, "```", ""]
    if report.configuration:
        lines += [f"{text('configuration', lang)}:", "", *_pairs(report.configuration), ""]
    lines += [f"## {text('fairness', lang)}", ""]
    lines += [f"- {rule}" for rule in report.fairness_rules]
    if report.fairness_settings:
        lines += ["", text("fairness_recorded", lang), "", *_pairs(report.fairness_settings)]
    lines += ["", text("fairness_per_experiment", lang), ""]
    return "\n".join(lines)
