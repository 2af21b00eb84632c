"""The request both load generators send, and the file format they report samples in.

Every request is one registration (POST /users) with an id and email no other request
uses, so the closed-loop (locust) and open-loop generators send the same work, need
no shared state across processes, and never collide on an email.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

REQUEST_NAME = "POST /users"
SAMPLES_DIR_ENV = "DDD_BENCH_LOAD_SAMPLES_DIR"


def new_prefix() -> str:
    """Return an id prefix unique to this generator process."""
    return f"{uuid.uuid4().hex[:10]}-{os.getpid()}"


def registration_body(prefix: str, number: int) -> dict[str, str]:
    return {
        "id": f"{prefix}-{number}",
        "email": f"load.{prefix}.{number}@example.com",
        "name": "Load Test",
    }


def write_samples(
    directory: Path,
    role: str,
    samples: list[tuple[float, float, bool]],
    cpu_percent: float | None,
    cpu_window_s: float | None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write one generator process's samples: (start time in epoch s, latency in ms, failed)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"samples-{role}-{os.getpid()}.json"
    document = {
        "role": role,
        "pid": os.getpid(),
        "cpu_percent": cpu_percent,
        "cpu_window_s": cpu_window_s,
        "samples": samples,
        **(extra or {}),
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document), encoding="utf-8")
    temporary.replace(path)
    return path


def read_samples(directory: Path) -> list[dict[str, Any]]:
    documents = []
    for path in sorted(directory.glob("samples-*.json")):
        documents.append(json.loads(path.read_text(encoding="utf-8")))
    return documents
