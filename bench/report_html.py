"""Render the report model as one self-contained HTML file.

The plots are embedded as base64 PNG data URIs and the CSS is inline. The page
loads no script, font or stylesheet, so it opens offline and prints on its own.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from bench.i18n import text
from bench.report_model import ClaimSection, Pairs, Plot, Report, Summary, Table

STYLE = """
:root { --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; --paper: #ffffff;
  --confirmed: #dafbe1; --refuted: #ffebe9; --conditional: #fff8c5; --not-checked: #eaeef2; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink); line-height: 1.5;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
    "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
h1 { font-size: 1.7rem; margin: 0 0 .5rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.1rem; margin: 1.4rem 0 .4rem; }
p, li { max-width: 60rem; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: .9em; }
pre { background: #f6f8fa; padding: .6rem .8rem; border-radius: 4px; overflow-x: auto;
  white-space: pre-wrap; word-break: break-all; }
.meta { color: var(--muted); margin: .15rem 0; }
.table-wrap { overflow-x: auto; margin: .6rem 0 1rem; }
table { border-collapse: collapse; font-size: .88rem; }
th, td { border: 1px solid var(--rule); padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
thead th { background: #f6f8fa; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.short, table.verdicts td:first-child, table.verdicts th:first-child { white-space: nowrap; }
.verdict { display: inline-block; padding: 0 .4rem; border-radius: 3px; white-space: nowrap;
  font-weight: 600; }
.verdict.confirmed { background: var(--confirmed); }
.verdict.refuted { background: var(--refuted); }
.verdict.conditional { background: var(--conditional); }
.verdict.not-checked { background: var(--not-checked); font-weight: 400; }
blockquote { margin: .6rem 0; padding: .2rem 1rem; border-left: 4px solid var(--rule);
  color: #24292f; }
blockquote p { margin: .3rem 0; }
.label { color: var(--muted); font-size: .85rem; margin-right: .4rem; }
.summary li { margin: .5rem 0; }
.summary .detail { display: block; margin-left: 1rem; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); }
.reason { background: #f6f8fa; padding: .5rem .8rem; border-radius: 4px; }
.note { color: var(--muted); font-size: .9rem; }
dl.pairs { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem;
  margin: .4rem 0 1rem; font-size: .9rem; }
dl.pairs dt { color: var(--muted); }
dl.pairs dd { margin: 0; word-break: break-word; }
@media print {
  @page { margin: 1.6cm 1.4cm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  section.claim.measured { break-before: page; page-break-before: always; }
  figure, blockquote, .reason, dl.pairs { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; }
  table { font-size: 8pt; }
  .verdict, thead th, .reason, pre { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""


def _phrase(key: str, lang: str, **fragments: str) -> str:
    """Fill a report phrase with HTML fragments, escaping only the phrase's own text."""
    marks = {name: f"\x00{i}\x00" for i, name in enumerate(fragments)}
    html = escape(text(key, lang, **marks))
    for name, mark in marks.items():
        html = html.replace(mark, fragments[name])
    return html


SHORT_CELL = 24  # characters; shorter text cells (ids, vocabulary) do not wrap


def _verdict(verdict: str, label: str) -> str:
    return f'<span class="verdict {escape(verdict)}">{escape(label)}</span>'


def _is_number(cell: str) -> bool:
    head = cell.split(" ", 1)[0]
    try:
        float(head)
    except ValueError:
        return False
    return True


def _cell_class(cell: str) -> str:
    if _is_number(cell):
        return "number"
    return "short" if len(cell) <= SHORT_CELL else "text"


def _table(table: Table) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in table.header)
    rows = []
    for row in table.rows:
        cells = "".join(f'<td class="{_cell_class(c)}">{escape(c)}</td>' for c in row)
        rows.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _pairs(pairs: Pairs) -> str:
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in pairs)
    return f'<dl class="pairs">{items}</dl>'


def _image(plot: Plot, out_dir: Path) -> str:
    path = out_dir / plot.file_name
    if plot.failed or not path.is_file():
        return f'<p class="note">{escape(plot.alt)}</p>'
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<figure><img src="data:image/png;base64,{data}" alt="{escape(plot.alt)}"></figure>'


def _verdict_table(report: Report) -> str:
    lang = report.lang
    keys = ("col_claim", "col_quote", "col_claimed", "col_verdict", "col_reason")
    head = "".join(f'<th scope="col">{escape(text(k, lang))}</th>' for k in keys)
    rows = []
    for row in report.verdicts:
        rows.append(
            "<tr>"
            f'<td><a href="#{escape(row.anchor)}">{escape(row.claim_id)}</a></td>'
            f'<td lang="zh-CN">{escape(row.quote_zh)}</td>'
            f"<td>{escape(row.claimed)}</td>"
            f"<td>{_verdict(row.verdict, row.verdict_label)}</td>"
            f"<td>{escape(row.reason)}</td>"
            "</tr>"
        )
    return (
        f'<div class="table-wrap"><table class="verdicts"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _summary(summary: Summary, lang: str) -> str:
    items = []
    for item in summary.items:
        claim = f'<a href="#{escape(item.anchor)}">{escape(item.claim_id)}</a>'
        parts = [
            _phrase(
                "summary_item",
                lang,
                claim=claim,
                topic=escape(item.topic),
                phrase=_verdict(item.verdict, item.phrase),
            )
        ]
        if item.figures:
            separator = text("list_separator", lang)
            figures = escape(separator.join(item.figures) + text("sentence_end", lang))
            parts.append(
                f'<span class="detail"><span class="label">'
                f"{escape(text('summary_figures', lang))}</span>{figures}</span>"
            )
        if item.conditions:
            parts.append(
                f'<span class="detail"><span class="label">'
                f"{escape(text('summary_conditions', lang))}</span>"
                f"{escape(item.conditions)}</span>"
            )
        if item.advice:
            parts.append(
                f'<span class="detail"><span class="label">'
                f"{escape(text('summary_advice', lang))}</span>{escape(item.advice)}</span>"
            )
        items.append(f"<li>{''.join(parts)}</li>")
    heading = escape(text("what_it_means", lang))
    html = [
        f'<section id="what-it-means" class="summary"><h2>{heading}</h2>',
        f"<p>{escape(summary.counts)}</p>",
        f"<ul>{''.join(items)}</ul>",
    ]
    if summary.not_checked:
        html.append(f"<p>{escape(summary.not_checked)}</p>")
    html.append("</section>")
    return "\n".join(html)


def _claim(section: ClaimSection, out_dir: Path, lang: str) -> str:
    verdict = _verdict(section.verdict, section.verdict_label)
    html = [
        f'<section class="claim{" measured" if section.experiments else ""}" '
        f'id="{escape(section.anchor)}">',
        f"<h2>{escape(text('claim_heading', lang, claim=section.claim_id, title=section.title))}"
        "</h2>",
        "<blockquote>",
        f'<p lang="zh-CN"><span class="label">{escape(text("quote_label", lang))}</span>'
        f"{escape(section.quote_zh)}</p>",
        f'<p lang="en"><span class="label">{escape(text("translation_label", lang))}</span>'
        f"{escape(section.claim_en)}</p>",
        "</blockquote>",
        "<p>"
        + _phrase("claimed_verdict", lang, claimed=escape(section.claimed), verdict=verdict)
        + "</p>",
    ]
    for experiment in section.experiments:
        html.append(
            f"<h3>{escape(text('experiment', lang))} <code>{escape(experiment.id)}</code> "
            f"({escape(experiment.status_label)})</h3>"
        )
        if experiment.error:
            label = "skipped_because" if experiment.status == "skipped" else "failed_with"
            html.append(
                f'<p class="reason">{escape(text(label, lang))}{escape(experiment.error)}</p>'
            )
        if experiment.setup:
            html.append(f"<h4>{escape(text('setup', lang))}</h4>{_pairs(experiment.setup)}")
        if experiment.table is not None:
            html.append(f"<h4>{escape(text('results_table', lang))}</h4>")
            html.append(_table(experiment.table))
    html += [_image(plot, out_dir) for plot in section.plots]
    html.append(
        f'<p class="reason"><strong>{escape(text("reason", lang))}</strong>'
        f"{escape(section.reason_note)}{escape(section.reason)}</p>"
    )
    html.append("</section>")
    return "\n".join(html)


def render(report: Report, out_dir: Path) -> str:
    """Return report.html's text, reading the plots' PNG files from out_dir."""
    lang = report.lang
    body = [
        "<header>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="meta">{escape(report.run_line)}</p>',
        f'<p class="meta">{escape(report.machine_line)}</p>',
        f'<p class="meta">{escape(text("command_line", lang))}'
        f"<code>{escape(report.command)}</code></p>",
        "</header>",
        f'<section id="verdicts"><h2>{escape(text("verdicts", lang))}</h2>',
        _verdict_table(report),
    ]
    if report.unfinished:
        body.append(f"<p>{escape(text('unfinished', lang))}</p>")
        body.append("<ul>" + "".join(f"<li>{escape(u)}</li>" for u in report.unfinished) + "</ul>")
    body.append(f'<p class="note">{escape(text("statistics_note", lang))}</p></section>')
    body.append(_summary(report.summary, lang))
    if report.plot_note:
        body.append(f'<p class="note">{escape(report.plot_note)}</p>')
    body += [_claim(section, out_dir, lang) for section in report.claims]

    if report.noise is not None:
        body.append(f'<section id="noise"><h2>{escape(text("noise", lang))}</h2>')
        body.append(f"<p>{escape(report.noise.intro)}</p>")
        if report.noise.table is not None:
            body.append(_table(report.noise.table))
        body.append("</section>")
    body += [
        f'<section id="environment"><h2>{escape(text("environment", lang))}</h2>',
        _pairs(report.environment),
        "</section>",
        f'<section id="command"><h2>{escape(text("command_and_configuration", lang))}</h2>',
        f"<h3>{escape(text('command', lang))}</h3><pre>{escape(report.command)}</pre>",
    ]
    if report.configuration:
        body.append(f"<h3>{escape(text('configuration', lang))}</h3>")
        body.append(_pairs(report.configuration))
    body.append("</section>")
    rules = "".join(f"<li>{escape(rule)}</li>" for rule in report.fairness_rules)
    body += [
        f'<section id="fairness"><h2>{escape(text("fairness", lang))}</h2>',
        f"<ul>{rules}</ul>",
    ]
    if report.fairness_settings:
        body.append(f"<p>{escape(text('fairness_recorded', lang))}</p>")
        body.append(_pairs(report.fairness_settings))
    body.append(f'<p class="note">{escape(text("fairness_per_experiment", lang))}</p></section>')

    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="{escape(lang)}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(report.title)}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body><main>",
            *body,
            "</main></body>",
            "</html>",
            "",
        ]
    )
