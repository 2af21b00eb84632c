"""The report's catalogues, the verdicts' Chinese reasons and the summary, without a run."""

from __future__ import annotations

import string
from typing import Any

import pytest

from bench import i18n, summary
from bench.ledger import CLAIMS
from bench.report import claim_reason, verdict_label
from bench.results import metric
from bench.verdicts import judge, judge_c3, judge_c7
from tests.unit.test_stats_and_verdicts import c3_points, c7_point

CATALOGUES = {
    "REPORT_TEXT": i18n.REPORT_TEXT,
    "VERDICT_WORDS": i18n.VERDICT_WORDS,
    "VERDICT_PHRASES": i18n.VERDICT_PHRASES,
    "PARAM_LABELS": i18n.PARAM_LABELS,
    "METRIC_LABELS": i18n.METRIC_LABELS,
    "SETUP_LABELS": i18n.SETUP_LABELS,
    "HEADLINE_LABELS": i18n.HEADLINE_LABELS,
    "UNIT_LABELS": i18n.UNIT_LABELS,
    "CLAIM_TOPICS": i18n.CLAIM_TOPICS,
    "ADVICE": i18n.ADVICE,
    "PLOT_TEXT": i18n.PLOT_TEXT,
}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("name", list(CATALOGUES))
def test_catalogue_has_every_language(name: str) -> None:
    for key, entry in CATALOGUES[name].items():
        assert set(entry) == set(i18n.LANGUAGES), f"{name}[{key!r}]"


@pytest.mark.parametrize("name", list(CATALOGUES))
def test_translations_keep_fields(name: str) -> None:
    for key, entry in CATALOGUES[name].items():
        if entry["zh-CN"]:
            assert _fields(entry["zh-CN"]) == _fields(entry["en"]), f"{name}[{key!r}]"


def test_every_claim_has_topic_and_advice() -> None:
    for claim in CLAIMS:
        assert claim.id in i18n.CLAIM_TOPICS
        assert claim.id in i18n.ADVICE


def test_fairness_rules_in_both_languages() -> None:
    assert len(i18n.FAIRNESS_RULES["en"]) == len(i18n.FAIRNESS_RULES["zh-CN"])


def test_translate_falls_back_to_english() -> None:
    catalogue = {"only_english": {"en": "English"}}
    assert i18n.translate(catalogue, "only_english", "zh-CN") == "English"
    assert i18n.translate(catalogue, "unknown", "zh-CN", "default") == "default"
    assert i18n.translate(catalogue, "unknown", "zh-CN") == "unknown"


def test_file_suffix_per_language() -> None:
    assert i18n.suffix("en") == ""
    assert i18n.suffix("zh-CN") == ".zh-CN"


def test_verdict_label_keeps_english_id() -> None:
    assert verdict_label("refuted", "en") == "refuted"
    assert verdict_label("refuted", "zh-CN") == "不成立 (refuted)"
    assert verdict_label("conditional", "zh-CN") == "有条件成立 (conditional)"


@pytest.mark.parametrize(
    ("points", "verdict"),
    [
        (c3_points(0.02, 0.02), "confirmed"),
        (c3_points(0.2, 0.005), "conditional"),
        (c3_points(0.2, 0.1), "refuted"),
    ],
)
def test_c3_reason_in_chinese(points: list[dict[str, Any]], verdict: str) -> None:
    judged = judge_c3(points)
    assert judged.verdict == verdict
    assert judged.reason_zh is not None
    assert "教程声称约 2.0 秒对约 0.3 秒" in judged.reason_zh
    speedup = judged.headline["c3_speedup_memory_corrected"]["median"]
    assert f"{speedup:.1f} 倍" in judged.reason_zh


def test_c7_reason_in_chinese() -> None:
    points = [c7_point("as-written", "asyncio", 50), c7_point("corrected", "asyncio", 1)]
    judged = judge_c7(points)
    assert judged.reason_zh is not None
    assert "最多存下了 50 个用户" in judged.reason_zh
    assert "恰好只存下一个用户" in judged.reason_zh


def test_not_checked_reasons_in_chinese() -> None:
    failed = [
        {"id": "c3-registrations", "claim": "C3", "status": "failed", "error": "boom", "points": []}
    ]
    assert judge("C3", failed).reason_zh == "实验 c3-registrations 失败：boom。"
    assert judge("C1", []).reason_zh == "尚无实验检验这个说法。"


def test_claim_reason_prefers_translation() -> None:
    claim = {"reason": "Refuted: English.", "reason_zh": "不成立：中文。"}
    assert claim_reason(claim, "en") == ("Refuted: English.", True)
    assert claim_reason(claim, "zh-CN") == ("不成立：中文。", True)
    assert claim_reason({"reason": "Refuted: English."}, "zh-CN") == ("Refuted: English.", False)


def _claim(claim_id: str, verdict: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": claim_id,
        "claim_en": f"{claim_id} in English",
        "verdict": verdict,
        "reason": f"{claim_id} reason.",
        "headline": {},
        **extra,
    }


def test_summary_counts_and_advice() -> None:
    claims = [
        _claim("C1", "not-checked"),
        _claim("C3", "conditional", reason_zh="只有去掉锁才成立。"),
        _claim(
            "C7",
            "refuted",
            headline={"c7_duplicates_memory_as_written_asyncio": metric([50, 50], "users")},
        ),
    ]
    english = summary.build(claims, "en")
    assert english.counts.startswith("Of the 2 claims checked in this run: 0 confirmed")
    assert [item.claim_id for item in english.items] == ["C3", "C7"]
    assert english.items[0].conditions == "C3 reason."
    assert "UNIQUE constraint" in english.items[1].advice
    assert english.items[1].figures == [
        "users stored with one email, the guide's setup (memory, asyncio, as written): "
        "50 users (95% CI 50-50)"
    ]
    assert english.not_checked == "Not checked in this run: C1."

    chinese = summary.build(claims, "zh-CN")
    assert chinese.items[0].conditions == "只有去掉锁才成立。"
    assert chinese.items[1].phrase == "不成立"
    assert "50 个用户（95% 置信区间 50-50）" in chinese.items[1].figures[0]
    assert chinese.not_checked == "本次运行未检验：C1。"


def test_summary_names_unknown_headline_by_key() -> None:
    claims = [_claim("C5", "refuted", headline={"c5_rss_ratio": metric([2.0, 2.5], "x")})]
    (item,) = summary.build(claims, "zh-CN").items
    assert item.figures[0].startswith("c5 rss ratio：")
