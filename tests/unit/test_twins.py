"""The sync and async services must stay twins: the same steps, differing only in async/await."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _unasync(source: str) -> str:
    source = source.replace("async_variant", "sync_variant")
    source = re.sub(r"\basync def\b", "def", source)
    source = re.sub(r"\bawait ", "", source)
    return source


def _body(source: str) -> list[str]:
    """Return the lines after the imports, which ruff sorts differently in each twin."""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(("class ", "def ", "@")))
    return lines[start:]


def test_services_are_twins() -> None:
    sync_source = (ROOT / "sync_variant" / "service.py").read_text()
    async_source = (ROOT / "async_variant" / "service.py").read_text()
    assert _body(_unasync(async_source)) == _body(sync_source)


def test_service_tests_are_twins() -> None:
    sync_tests = (ROOT / "tests" / "unit" / "test_service_sync.py").read_text()
    async_tests = (ROOT / "tests" / "unit" / "test_service_async.py").read_text()
    normalised = _unasync(async_tests)
    normalised = normalised.replace("FakeAsyncRepository", "FakeSyncRepository")
    normalised = normalised.replace("RecordingAsyncPublisher", "RecordingSyncPublisher")
    normalised = normalised.replace("import pytest_asyncio\n", "")
    normalised = normalised.replace("@pytest_asyncio.fixture", "@pytest.fixture")
    normalised = normalised.replace("@pytest.mark.asyncio\n", "")
    assert _body(normalised) == _body(sync_tests)


def test_pooling_modules_are_twins() -> None:
    sync_source = (ROOT / "sync_variant" / "pooling.py").read_text()
    async_source = (ROOT / "async_variant" / "pooling.py").read_text()
    normalised = _unasync(async_source)
    for async_name, sync_name in (
        ("AbstractAsyncContextManager", "AbstractContextManager"),
        ("AsyncIterator", "Iterator"),
        ("asynccontextmanager", "contextmanager"),
        ("async with ", "with "),
        ("per task.", "per thread."),
    ):
        normalised = normalised.replace(async_name, sync_name)
    assert _body(normalised) == _body(sync_source)
