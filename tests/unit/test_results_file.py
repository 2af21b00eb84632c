from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from bench.results import ResultsError, load, write_atomic


def test_write_atomic_leaves_one_file(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    write_atomic(target, {"schema_version": 1})
    write_atomic(target, {"schema_version": 1, "again": True})
    assert json.loads(target.read_text(encoding="utf-8"))["again"] is True
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_write_atomic_mode_follows_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_atomic(tmp_path / "results.json", {"schema_version": 1})
    finally:
        os.umask(previous)
    mode = stat.S_IMODE((tmp_path / "results.json").stat().st_mode)
    assert mode == 0o644


def test_load_rejects_other_schema(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text(json.dumps({"schema_version": 2}), encoding="utf-8")
    with pytest.raises(ResultsError, match="schema_version 2"):
        load(tmp_path)


def test_load_rejects_truncated_file(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text('{"schema_version": 1, "run": {', encoding="utf-8")
    with pytest.raises(ResultsError, match="corrupt"):
        load(tmp_path)
