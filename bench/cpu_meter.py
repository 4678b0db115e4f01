"""CPU seconds a benchmark run costs, read from /proc: the served process tree, PostgreSQL's backends, the client."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text

from engine.persistence import normalise_url

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int, children: bool = False) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of one process from /proc: user + system time of all its threads, plus
    what its reaped children used when `children` (the sandbox children a web worker replaces)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    used = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return int(fields[1]), used / TICK


def _process_tree(root: int) -> dict[int, float]:
    """CPU seconds of `root` and every process below it (gunicorn's master and workers, the job worker,
    the sandbox children)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _cpu_of(int(entry.name))) is not None:
            parents[int(entry.name)] = found[0]
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return {pid: found[1] for pid in tree if (found := _cpu_of(pid, children=True)) is not None}


class CpuMeter:
    """CPU seconds used by everything one benchmark run involves, read from /proc before and after it:
    the served processes, the PostgreSQL backends serving the benchmark's database, and this process
    (the benchmark's client threads). Other jobs on the machine are not counted."""

    def __init__(self, server_pid: int, url: str):
        self.server_pid = server_pid
        self.admin = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT") \
            if url.startswith("postgres") else None

    def _backends(self) -> dict[int, float]:
        if self.admin is None:
            return {}
        with self.admin.connect() as conn:
            pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND pid <> pg_backend_pid()")).scalars().all()
        return {pid: found[1] for pid in pids if (found := _cpu_of(pid)) is not None}

    def snapshot(self) -> dict[str, dict[int, float]]:
        parts = {"web": _process_tree(self.server_pid), "postgres": self._backends(),
                 "client": {os.getpid(): _cpu_of(os.getpid())[1]}}  # type: ignore[index]
        if self.admin is None:
            del parts["postgres"]  # SQLite works inside the web workers
        return parts

    @staticmethod
    def used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
        """CPU seconds per part between two snapshots (a process born in between counts whole)."""
        return {part: sum(cpu - before[part].get(pid, 0.0) for pid, cpu in after[part].items())
                for part in after}

    def close(self) -> None:
        if self.admin is not None:
            self.admin.dispose()
