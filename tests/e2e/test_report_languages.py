"""Both report languages, Markdown and HTML, rebuilt from one smoke run's results.json."""

from __future__ import annotations

import base64
import copy
import json
import re
import shutil
import subprocess
import sys
import warnings
from html import escape
from pathlib import Path
from typing import Any

import pytest

from bench import plots, report
from bench.i18n import VERDICT_WORDS
from bench.results import validate

Rendered = dict[tuple[str, str], str]  # (language, "md" or "html") -> the file's text

REPORT_FILES = {
    ("en", "md"): "report.md",
    ("en", "html"): "report.html",
    ("zh-CN", "md"): "report.zh-CN.md",
    ("zh-CN", "html"): "report.zh-CN.html",
}
DATA_URI = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def ddd_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def smoke_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("languages") / "run"
    completed = ddd_bench("run", "--profile", "smoke", "--out", str(out))
    assert completed.returncode == 0, completed.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def results(smoke_dir: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((smoke_dir / "results.json").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def rebuilt(smoke_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding only the run's results.json, with both reports rebuilt from it."""
    out = tmp_path_factory.mktemp("rebuilt")
    shutil.copy(smoke_dir / "results.json", out / "results.json")
    for lang in ("en", "zh-CN"):
        args = ("report", str(out)) if lang == "en" else ("report", str(out), "--lang", lang)
        completed = ddd_bench(*args)
        assert completed.returncode == 0, completed.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def rendered(rebuilt: Path) -> Rendered:
    return {key: (rebuilt / name).read_text(encoding="utf-8") for key, name in REPORT_FILES.items()}


def _plot_files(results: dict[str, Any]) -> list[str]:
    measured = {e["claim"] for e in results["experiments"] if e["points"]}
    return [name for claim in measured for name, _ in plots.PLOTTERS.get(claim, ())]


def _localised(file_name: str, lang: str) -> str:
    return file_name if lang == "en" else file_name.replace(".png", f".{lang}.png")


def test_results_with_chinese_reasons_match_schema(results: dict[str, Any]) -> None:
    validate(results)
    for claim in results["claims"]:
        assert claim["reason_zh"], claim["id"]


@pytest.mark.parametrize("key", list(REPORT_FILES))
def test_every_claim_section_rendered(
    key: tuple[str, str], rendered: Rendered, results: dict[str, Any]
) -> None:
    lang, kind = key
    page = rendered[key]
    for claim in results["claims"]:
        anchor = f'id="{claim["id"].lower()}"'
        assert anchor in page, f"{claim['id']} has no section in {key}"
        heading = (
            f"{claim['id']}: {claim['claim_en']}"
            if lang == "en"
            else f"{claim['id']}：{claim['quote_zh']}"
        )
        if kind == "html":
            heading = escape(heading)
        assert heading in page, f"{claim['id']} heading missing in {key}"
        assert claim["quote_zh"] in page
        reason = claim["reason"] if lang == "en" else claim.get("reason_zh", claim["reason"])
        if kind == "html":
            reason = escape(reason)
        assert reason in page, f"{claim['id']} reason missing in {key}"
        word = VERDICT_WORDS[claim["verdict"]][lang]
        expected = word if lang == "en" else f"{word} ({claim['verdict']})"
        assert expected in page


@pytest.mark.parametrize("kind", ["md", "html"])
def test_chinese_report_headings(kind: str, rendered: Rendered) -> None:
    page = rendered[("zh-CN", kind)]
    for heading in ("结论", "结论解读", "运行环境", "命令与配置", "公平性设置"):
        assert f"## {heading}" in page if kind == "md" else f"<h2>{heading}</h2>" in page
    for english in ("## Verdicts", "<h2>Verdicts</h2>", "What it means", "Fairness settings"):
        assert english not in page


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_html_sections_in_order(lang: str, rendered: Rendered) -> None:
    page = rendered[(lang, "html")]
    order = [
        'id="verdicts"',
        'id="what-it-means"',
        'id="c1"',
        'id="c8"',
        'id="environment"',
        'id="command"',
        'id="fairness"',
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_html_self_contained(lang: str, rendered: Rendered) -> None:
    page = rendered[(lang, "html")]
    assert "http://" not in page
    assert "https://" not in page
    for fetching in ("<script", "<link", "@import", "url(", "@font-face", "<iframe"):
        assert fetching not in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert sources, "the page embeds no image"
    for source in sources:
        assert source.startswith("data:image/png;base64,")


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_html_embeds_every_plot(
    lang: str, rendered: Rendered, rebuilt: Path, results: dict[str, Any]
) -> None:
    embedded = [base64.b64decode(data) for data in DATA_URI.findall(rendered[(lang, "html")])]
    expected = _plot_files(results)
    assert len(embedded) == len(expected)
    for name in expected:
        png = (rebuilt / _localised(name, lang)).read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert png in embedded, f"{name} is not embedded in the {lang} report"


def test_markdown_links_every_plot(rendered: Rendered, results: dict[str, Any]) -> None:
    for lang in ("en", "zh-CN"):
        for name in _plot_files(results):
            assert f"]({_localised(name, lang)})" in rendered[(lang, "md")]


def test_summary_names_checked_claims(rendered: Rendered, results: dict[str, Any]) -> None:
    english = rendered[("en", "md")]
    summary = english[english.index("## What it means") : english.index('<a id="c1">')]
    for claim in results["claims"]:
        if claim["verdict"] != "not-checked":
            assert f"[{claim['id']}](#{claim['id'].lower()})" in summary
    assert "UNIQUE constraint" in summary  # C7 is measured, so its advice is shown


def test_chinese_plots_need_no_missing_glyphs(results: dict[str, Any], tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report.render(results, tmp_path, "zh-CN")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    for name in _plot_files(results):
        assert (tmp_path / _localised(name, "zh-CN")).stat().st_size > 10_000


def test_untranslated_reason_falls_back(results: dict[str, Any], tmp_path: Path) -> None:
    untranslated = copy.deepcopy(results)
    c7 = next(c for c in untranslated["claims"] if c["id"] == "C7")
    del c7["reason_zh"]
    validate(untranslated)
    page = report.render(untranslated, tmp_path, "zh-CN").read_text(encoding="utf-8")
    assert c7["reason"] in page
    assert "此理由尚无中文版本" in page


def test_plots_keep_english_without_cjk_font(
    results: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bench.fonts.cjk_family", lambda: None)
    with plots.language("zh-CN") as used:
        assert used == "en"
        assert plots.label("c7_reference") == "correct: exactly 1"
    page = report.render(results, tmp_path, "zh-CN").read_text(encoding="utf-8")
    assert "图表保留英文标注" in page


def test_rejudge_restores_verdicts(smoke_dir: Path, tmp_path: Path) -> None:
    original = json.loads((smoke_dir / "results.json").read_text(encoding="utf-8"))
    stale = copy.deepcopy(original)
    for claim in stale["claims"]:
        claim["verdict"] = "not-checked"
        claim["reason"] = "Judged by an older version."
        del claim["reason_zh"]
    (tmp_path / "results.json").write_text(json.dumps(stale), encoding="utf-8")

    completed = ddd_bench("report", str(tmp_path), "--lang", "zh-CN", "--rejudge")

    assert completed.returncode == 0, completed.stderr[-3000:]
    rejudged = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert rejudged["claims"] == original["claims"]
    assert rejudged["experiments"] == original["experiments"]
    assert rejudged["run"] == original["run"]
    page = (tmp_path / "report.zh-CN.md").read_text(encoding="utf-8")
    assert "Judged by an older version." not in page
