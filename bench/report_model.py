"""The report as data, in one language: what report.md and report.html both show.

bench/report.py builds it from results.json; bench/report_markdown.py and
bench/report_html.py turn it into text. Every string here is plain text, already
translated and not yet escaped for either format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Pairs = list[tuple[str, str]]  # (label, value) lines of a setup, environment or config


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class Plot:
    file_name: str  # a PNG in the run directory
    alt: str
    failed: bool = False


@dataclass
class VerdictRow:
    claim_id: str
    anchor: str
    quote_zh: str
    claimed: str
    verdict: str  # confirmed, refuted, conditional or not-checked
    verdict_label: str
    reason: str


@dataclass
class SummaryItem:
    claim_id: str
    anchor: str
    topic: str
    verdict: str
    phrase: str  # the verdict in plain words
    figures: list[str]
    conditions: str | None
    advice: str


@dataclass
class Summary:
    counts: str
    items: list[SummaryItem]
    not_checked: str | None


@dataclass
class ExperimentSection:
    id: str
    status: str
    status_label: str
    error: str | None
    setup: Pairs
    table: Table | None


@dataclass
class ClaimSection:
    claim_id: str
    anchor: str
    title: str  # the English rendering in English, the guide's quote in Chinese
    claim_en: str
    quote_zh: str
    claimed: str
    verdict: str
    verdict_label: str
    reason: str
    reason_note: str  # a note that the reason is in English, when no translation exists
    experiments: list[ExperimentSection] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)


@dataclass
class NoiseSection:
    intro: str
    table: Table | None  # None when no metric is too noisy


@dataclass
class Report:
    lang: str
    title: str
    run_line: str
    machine_line: str
    command: str
    verdicts: list[VerdictRow]
    unfinished: list[str]
    summary: Summary
    claims: list[ClaimSection]
    environment: Pairs
    configuration: Pairs
    fairness_rules: list[str]
    fairness_settings: Pairs
    noise: NoiseSection | None = None
    plot_note: str | None = None  # set when the plots fell back to English labels
