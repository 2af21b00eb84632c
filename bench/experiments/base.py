"""The experiment module protocol, and the context the runner passes to each experiment."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bench.profiles import Profile
from bench.vocabulary import Executor
from core.policy import Backend, Policy

Point = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One configuration to measure; `params` become the point's params in results.json."""

    name: str
    params: dict[str, Any]


@dataclass
class Context:
    profile: Profile
    out_dir: Path
    backends: tuple[Backend, ...]
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def scratch_dir(self) -> Path:
        """Directory for database files the experiments create and delete."""
        return self.out_dir / "scratch"

    @property
    def log_path(self) -> Path:
        return self.out_dir / "ddd-bench.log"


class Experiment(Protocol):
    ID: str
    CLAIM: str

    def describe(self, context: Context) -> dict[str, Any]:
        """Return the setup the report prints: workload, sizes and the fairness settings."""
        ...

    def plan(self, context: Context) -> list[Case]: ...

    def measure(self, case: Case, context: Context) -> Point: ...

    def derive(self, points: list[Point]) -> list[Point]:
        """Add metrics computed across points (ratios); return the points."""
        ...


def executor_cases(
    context: Context,
    backends: tuple[Backend, ...],
    executors: tuple[tuple[Executor, int], ...],
    latency_ms: float,
    **extra: Any,
) -> list[Case]:
    """Return one case per backend the run selected, policy and (executor, concurrency).

    `latency_ms` applies to the memory backend only; `extra` params are added to
    every case and named first in the case name.
    """
    cases = []
    for backend in backends:
        if backend not in context.backends:
            continue
        for policy in Policy:
            for executor, concurrency in executors:
                params = {
                    "stack": executor.stack.value,
                    "executor": executor.value,
                    "concurrency": concurrency,
                    "backend": backend.value,
                    "policy": policy.value,
                    "latency_ms": latency_ms if backend is Backend.MEMORY else None,
                    **extra,
                }
                labels = [str(v) for v in extra.values()]
                name = " ".join(
                    [backend.value, *labels, policy.value, f"{executor.value}x{concurrency}"]
                )
                cases.append(Case(name, params))
    return cases
