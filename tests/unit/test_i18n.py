"""The report's catalogues, the verdicts' Chinese reasons and the summary, without a run."""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import Any

import pytest

from bench import i18n, summary
from bench.ledger import CLAIMS
from bench.report import claim_reason, verdict_label
from bench.results import metric
from bench.summary import format_number
from bench.verdicts import (
    Verdict,
    judge,
    judge_c1,
    judge_c3,
    judge_c5,
    judge_c6,
    judge_c7,
    judge_c8,
)
from bench.verdicts_pg import judge_c2, judge_c4
from tests.unit.test_event_verdicts import c1_points, c5_point, c8_point
from tests.unit.test_http_units import c6_point
from tests.unit.test_pg_verdicts import _c2_points, _c4_points
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
    assert f"{format_number(speedup)} 倍" in judged.reason_zh


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
    assert judge("C1", []).reason_zh == "本次运行没有包含它的实验。"


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


def _every_judged_branch() -> list[tuple[str, Verdict]]:
    """Return verdicts from the branches of C1, C2, C4, C5, C6 and C8, using their tests' points."""
    c6_fast = c6_point("async", "uvloop", None, 50, 105.0)
    return [
        ("C1 conditional", judge_c1(c1_points(100.0))),
        ("C1 grid too small", judge_c1(c1_points(10.0))),
        ("C1 no handlers", judge_c1([p for p in c1_points(10.0) if not p["params"]["handlers"]])),
        ("C2 refuted", judge_c2(_c2_points(1.0, 0.9))),
        ("C2 confirmed", judge_c2(_c2_points(4.5, 4.2))),
        ("C2 conditional", judge_c2(_c2_points(1.0, 4.5))),
        ("C4 confirmed", judge_c4(_c4_points("memory", "corrected", 0.8))),
        (
            "C4 guide refuted",
            judge_c4(
                _c4_points("memory", "as-written", 0.0) + _c4_points("sqlite", "corrected", 0)
            ),
        ),
        (
            "C4 conditional",
            judge_c4(
                _c4_points("memory", "corrected", 0.8) + _c4_points("postgres", "corrected", 0.01)
            ),
        ),
        (
            "C5 conditional",
            judge_c5(
                [
                    c5_point("threads", 100, 18000.0, 29e6),
                    c5_point("asyncio", 100, 3000.0, 27.3e6),
                    c5_point("threads", 1000, 17600.0, 45e6),
                    c5_point("asyncio", 1000, 2950.0, 30e6),
                    c5_point("uvloop", 1000, 3200.0, 31e6),
                ]
            ),
        ),
        (
            "C5 refuted",
            judge_c5(
                [c5_point("threads", 100, 4000.0, 28e6), c5_point("asyncio", 100, 3000.0, 27e6)]
            ),
        ),
        (
            "C6 conditional",
            judge_c6([c6_point("sync", "threads", 8, 50, 600.0), c6_fast]),
        ),
        ("C6 refuted", judge_c6([c6_point("sync", "threads", 64, 50, 105.0), c6_fast])),
        (
            "C6 left out",
            judge_c6([c6_point("sync", "threads", 8, 50, 600.0, saturated=1), c6_fast]),
        ),
        (
            "C8 refuted",
            judge_c8(
                [
                    c8_point("async", "inline-gather", "as-written", lost=True),
                    c8_point("async", "inline-gather", "corrected", lost=False),
                ]
            ),
        ),
        (
            "C8 confirmed",
            judge_c8([c8_point("async", "inline-gather", "as-written", lost=False)]),
        ),
    ]


BRANCHES = _every_judged_branch()


@pytest.mark.parametrize(("case", "judged"), BRANCHES, ids=[case for case, _ in BRANCHES])
def test_every_reason_has_chinese(case: str, judged: Verdict) -> None:
    assert judged.reason_zh is not None, case
    assert not re.search(r"\b(Refuted|Confirmed|Holds|threads|requests)\b", judged.reason_zh)


@pytest.mark.parametrize(("case", "judged"), BRANCHES, ids=[case for case, _ in BRANCHES])
def test_chinese_reason_keeps_figures(case: str, judged: Verdict) -> None:
    # Both reasons are formatted from the same values, so every figure appears in both.
    english = Counter(re.findall(r"\d+(?:\.\d+)?", judged.reason))
    chinese = Counter(re.findall(r"\d+(?:\.\d+)?", judged.reason_zh or ""))
    assert english - chinese == Counter(), case


@pytest.mark.parametrize("group", list(i18n.HEADLINE_WORDS))
def test_headline_words_have_every_language(group: str) -> None:
    for key, entry in i18n.HEADLINE_WORDS[group].items():
        assert set(entry) == set(i18n.LANGUAGES), f"{group}[{key!r}]"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_headline_figure_named(lang: str) -> None:
    keys = {key for _, judged in BRANCHES for key in judged.headline}
    keys |= set(judge_c3(c3_points(0.2, 0.005)).headline)
    keys |= set(judge_c7([c7_point("as-written", "asyncio", 50)]).headline)
    for key in sorted(keys):
        label = i18n.headline_label(key, lang)
        assert label != key.replace("_", " "), key
        assert "{" not in label, key


def test_headline_label_fills_parameters() -> None:
    key = "c4_speedup_postgres_corrected_k100_threads"
    assert i18n.headline_label(key, "en") == (
        "sync threads speed-up over serial reads, PostgreSQL, corrected, K=100"
    )
    assert i18n.headline_label(key, "zh-CN") == (
        "同步线程相对串行读取的加速比（PostgreSQL，修正版，K=100）"
    )
