"""Process memory sampling by pid: resident and virtual size, read from /proc or psutil.

Any experiment can sample a process it started (a probe, an HTTP server) with
sample_memory(pid); the C5 probe samples itself with it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class MemorySample:
    pid: int
    rss_bytes: int  # resident set size: the pages in RAM now
    vm_bytes: int  # virtual size: every mapping, touched or not (thread stacks count in full)
    threads: int


def _read_proc_status(pid: int) -> MemorySample | None:
    path = Path(f"/proc/{pid}/status")
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    try:
        return MemorySample(
            pid=pid,
            rss_bytes=int(fields["VmRSS"].split()[0]) * 1024,  # the kernel reports kB
            vm_bytes=int(fields["VmSize"].split()[0]) * 1024,
            threads=int(fields["Threads"]),
        )
    except (KeyError, ValueError, IndexError):
        return None  # a zombie or kernel thread has no Vm* lines; psutil reports it instead


def sample_memory(pid: int | None = None) -> MemorySample:
    """Sample a process's memory (this process by default); raise ProcessLookupError if gone."""
    pid = os.getpid() if pid is None else pid
    sample = _read_proc_status(pid)
    if sample is not None:
        return sample
    try:
        process = psutil.Process(pid)
        info = process.memory_info()
        return MemorySample(pid, int(info.rss), int(info.vms), process.num_threads())
    except psutil.NoSuchProcess as error:
        raise ProcessLookupError(f"process {pid} not found: it has exited") from error


def rss_bytes(pid: int | None = None) -> int:
    """Return a process's resident set size in bytes (this process by default)."""
    return sample_memory(pid).rss_bytes
