"""results.json: building metrics and points, atomic writes, loading with validation."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from bench.noise import relative_spread
from bench.stats import median_ci, ratio_ci

# Version 1 is the first format. Bump it, and say what changed here, whenever a
# field is renamed, removed or changes meaning.
SCHEMA_VERSION = 1

Results = dict[str, Any]


class ResultsError(Exception):
    """results.json is missing, corrupt, or of a schema this version cannot read."""


def metric(values: Sequence[float], unit: str) -> dict[str, Any]:
    """Summarise raw values as a metric, keeping the values for later significance tests."""
    median, (low, high) = median_ci(values)
    return {
        "unit": unit,
        "values": [float(v) for v in values],
        "median": median,
        "ci95": [low, high],
        # Half-width of ci95 over the median; the report and compare flag wide ones as noisy.
        "spread": relative_spread(median, (low, high)),
    }


def ratio_metric(
    numerator: Sequence[float], denominator: Sequence[float], unit: str = "x"
) -> dict[str, Any]:
    """Summarise a ratio of medians; it keeps no values because none were measured directly."""
    ratio, (low, high) = ratio_ci(numerator, denominator)
    return {"unit": unit, "median": ratio, "ci95": [low, high]}


def _schema() -> dict[str, Any]:
    text = resources.files("bench").joinpath("schema/results.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def validate(results: Results) -> None:
    """Raise ResultsError naming the first field that breaks the schema."""
    version = results.get("schema_version") if isinstance(results, dict) else None
    if version != SCHEMA_VERSION:
        raise ResultsError(
            f"unsupported schema_version {version!r}: this ddd-bench reads version "
            f"{SCHEMA_VERSION}; rerun the benchmark with this version or use the ddd-bench "
            "that wrote the file"
        )
    try:
        jsonschema.validate(results, _schema())
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ResultsError(f"invalid results.json at {where}: {error.message}") from error


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: Path, results: Results) -> None:
    """Write JSON to a temporary file in the same directory, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates the file readable by its owner only; give it the mode open() would.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(results, file, indent=2, ensure_ascii=False)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: Path) -> Results:
    """Load and validate results.json from a file or from a run directory."""
    if path.is_dir():
        path = path / "results.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ResultsError(
            f"results file not found: {path}; pass a run directory or its results.json"
        ) from error
    try:
        results: Results = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResultsError(
            f"corrupt results file {path}: {error.msg} at line {error.lineno}"
        ) from error
    validate(results)
    return results
