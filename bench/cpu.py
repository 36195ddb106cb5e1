"""CPU time of the processes taking part, read from /proc (Linux), so a reader sees where
the two cores go: each of the four processes, the PostgreSQL server (its backends and what
it reaped of exited ones) and the load generator itself."""

from __future__ import annotations

import os
import resource
from pathlib import Path

import asyncpg

TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; the fields after its ")" are fixed.
    return text[text.rindex(")") + 2 :].split()


def process_cpu_s(pid: int) -> float:
    """utime + stime of the process and of its reaped children, in seconds."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    # After the name: state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17).
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) * TICK_S


def children(ppid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[1]) == ppid:
                found.append(int(entry.name))
    return found


def tree_cpu_s(pid: int) -> float:
    """The process and its live children (a postmaster and its backends)."""
    return process_cpu_s(pid) + sum(process_cpu_s(c) for c in children(pid))


def self_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def postmaster_pid(dsn: str) -> int | None:
    """The PostgreSQL server's main process, when it runs on this machine (else None)."""
    conn = await asyncpg.connect(dsn)
    try:
        # Read while the backend lives: its parent is the postmaster.
        fields = _stat(int(await conn.fetchval("SELECT pg_backend_pid()")))
    finally:
        await conn.close()
    return int(fields[1]) if fields is not None else None


class CpuMeter:
    """Snapshots of every watched process's CPU seconds; `since()` gives the difference."""

    def __init__(self, pids: dict[str, int], postmaster: int | None) -> None:
        self.pids = pids
        self.postmaster = postmaster

    def snapshot(self) -> dict[str, float]:
        snap = {name: process_cpu_s(pid) for name, pid in self.pids.items()}
        if self.postmaster is not None:
            snap["postgres"] = tree_cpu_s(self.postmaster)
        snap["loadgen"] = self_cpu_s()
        return snap

    @staticmethod
    def since(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {k: max(0.0, after[k] - before.get(k, 0.0)) for k in after}
