"""The report's "What it means": which claims hold, under which conditions, what to do."""

from __future__ import annotations

from typing import Any

from bench.i18n import (
    ADVICE,
    CLAIM_TOPICS,
    DEFAULT_LANGUAGE,
    UNIT_LABELS,
    VERDICT_PHRASES,
    headline_label,
    text,
    translate,
)
from bench.report_model import Summary, SummaryItem


def format_number(value: float) -> str:
    """Format a figure with two decimals below 10, one below 100 and none above."""
    if float(value).is_integer():
        return str(int(value))
    if abs(value) < 10:
        return f"{value:.2f}"
    return f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"


def format_figure(summary: dict[str, Any], lang: str) -> str:
    """Format a headline figure as its median and 95% interval, in lang."""
    unit = translate(UNIT_LABELS, summary["unit"], lang, f" {summary['unit']}")
    median = format_number(summary["median"]) + unit
    low, high = (format_number(v) for v in summary["ci95"])
    if lang == DEFAULT_LANGUAGE:
        return f"{median} (95% CI {low}-{high})"
    return f"{median}（95% 置信区间 {low}-{high}）"


def _figures(claim: dict[str, Any], lang: str) -> list[str]:
    figures = []
    for key, value in (claim.get("headline") or {}).items():
        name = headline_label(key, lang)
        separator = ": " if lang == DEFAULT_LANGUAGE else "："
        figures.append(f"{name}{separator}{format_figure(value, lang)}")
    return figures


def _reason(claim: dict[str, Any], lang: str) -> str:
    if lang != DEFAULT_LANGUAGE and claim.get("reason_zh"):
        return str(claim["reason_zh"])
    return str(claim["reason"])


def build(claims: list[dict[str, Any]], lang: str) -> Summary:
    """Summarise the verdicts in plain words, with the figures and advice for each claim."""
    checked = [c for c in claims if c["verdict"] != "not-checked"]
    unchecked = [c["id"] for c in claims if c["verdict"] == "not-checked"]
    counts = text(
        "summary_counts",
        lang,
        checked=len(checked),
        confirmed=sum(c["verdict"] == "confirmed" for c in checked),
        conditional=sum(c["verdict"] == "conditional" for c in checked),
        refuted=sum(c["verdict"] == "refuted" for c in checked),
        unchecked=len(unchecked),
    )
    items = [
        SummaryItem(
            claim_id=claim["id"],
            anchor=claim["id"].lower(),
            topic=translate(CLAIM_TOPICS, claim["id"], lang, claim["claim_en"]),
            verdict=claim["verdict"],
            phrase=translate(VERDICT_PHRASES, claim["verdict"], lang),
            figures=_figures(claim, lang),
            conditions=_reason(claim, lang) if claim["verdict"] == "conditional" else None,
            advice=translate(ADVICE, claim["id"], lang, ""),
        )
        for claim in checked
    ]
    not_checked = None
    if unchecked:
        separator = ", " if lang == DEFAULT_LANGUAGE else "、"
        not_checked = text("summary_not_checked", lang, claims=separator.join(unchecked))
    return Summary(counts, items, not_checked)
