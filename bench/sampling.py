"""Sample the memory (RSS) and CPU time of a process tree in a background thread."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field

import psutil

from bench.processes import tree

SAMPLE_INTERVAL_S = 0.25  # four samples a second keeps a 5 s load phase at 20 samples


@dataclass
class TreeSample:
    rss_bytes: list[int] = field(default_factory=list)
    cpu_percent: float | None = None  # CPU time of the whole tree over the wall time, 100 = 1 core
    processes: int = 0


class TreeSampler:
    """Record the summed RSS of a process and its descendants until stop() is called."""

    def __init__(self, pid: int, interval_s: float = SAMPLE_INTERVAL_S) -> None:
        self._pid = pid
        self._interval_s = interval_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"sampler-{pid}", daemon=True)
        self.sample = TreeSample()
        self._cpu_start = 0.0
        self._wall_start = 0.0

    def _cpu_seconds(self) -> float:
        total = 0.0
        for process in tree(self._pid):
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    def _rss(self) -> tuple[int, int]:
        total = 0
        members = tree(self._pid)
        for process in members:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
        return total, len(members)

    def _run(self) -> None:
        while not self._stopped.is_set():
            rss, count = self._rss()
            if count:
                self.sample.rss_bytes.append(rss)
                self.sample.processes = max(self.sample.processes, count)
            self._stopped.wait(self._interval_s)

    def start(self) -> TreeSampler:
        self._cpu_start = self._cpu_seconds()
        self._wall_start = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> TreeSample:
        self._stopped.set()
        self._thread.join()
        wall = time.monotonic() - self._wall_start
        if wall > 0:
            self.sample.cpu_percent = 100.0 * (self._cpu_seconds() - self._cpu_start) / wall
        return self.sample
