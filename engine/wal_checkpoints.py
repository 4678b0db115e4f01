"""SQLite's WAL copied back into the database file by a background thread, not by the step that commits.

In WAL mode SQLite appends each commit to the `-wal` file; a checkpoint copies those pages into the
database file and, with `synchronous=NORMAL`, syncs the WAL before and the database after. By default
(`wal_autocheckpoint`, 1,000 pages) the commit that crosses the threshold does that work itself: every
tenth instance or so, one clerk's step waited 5-25 ms for two fsyncs and a few hundred page writes.

Here a thread with its own connection runs a PASSIVE checkpoint (it never blocks readers or writers)
after every `BATCH` write transactions of this process (a document review step appends 15-30 pages, so
the WAL is copied back well before the threshold) and at most `MAX_DELAY_SECONDS` after any write; the
committing steps go on appending meanwhile. A checkpoint that could not copy everything (a commit
landed while it ran, or a reader held an older snapshot) is followed by another, until the thread goes
idle.

Copying the WAL back does not make it shorter: SQLite starts writing it from its beginning again only
when a write transaction began after a complete checkpoint. Under steady load one step's transaction
follows another's with hardly a gap, so that was luck, and the WAL still grew to the 1,000-page threshold
about every 45 commits; that commit then ran the automatic checkpoint (two fsyncs, 1-5 ms; a benchmark's
commit p99 was 2.4-4 ms against 0.1 ms for the median). Connections of an engine that has this thread
therefore fall back on the automatic checkpoint only at `WAL_FALLBACK_PAGES` (10,000 pages, a 40 MB WAL
at most): the WAL restarts at the first gap between writes, and a commit checkpoints itself ten times
less often (commit p99 0.28-0.48 ms in the same benchmark).

Nothing about durability moves: journal mode and `synchronous` stay as they were, every commit is synced
by a checkpoint within `MAX_DELAY_SECONDS` as before (the fallback threshold only says when a commit does
that work itself if this thread has not), and a process without this thread (no engine of its own, or an
in-memory database) keeps SQLite's default threshold. The thread ends when nothing has been written for
`IDLE_SECONDS` and starts again with the next write.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

BATCH = 24
MAX_DELAY_SECONDS = 0.5
IDLE_SECONDS = 2.0
WAL_FALLBACK_PAGES = 10_000


class WalCheckpointer:
    """Background checkpoints of one SQLite database file (one per engine, started by its writes)."""

    def __init__(self, path: str, batch: int = BATCH, max_delay: float = MAX_DELAY_SECONDS,
                 idle: float = IDLE_SECONDS):
        self.path = path
        self.batch, self.max_delay, self.idle = batch, max_delay, idle
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._last_write = 0.0
        self._pending = 0  # write transactions begun since the last checkpoint (an estimate: no lock)
        self._due = threading.Event()  # set by the write that completes a batch: the thread wakes once per batch
        self._generation = 0  # a thread runs while its generation is current (stop() moves it on)
        self.last: tuple[int, int, int] | None = None  # the thread's last checkpoint (see `checkpoint`)

    def wrote(self) -> None:
        """A write transaction began: make sure the thread runs (cheap when it does)."""
        self._last_write = time.monotonic()
        self._pending += 1
        if self._pending >= self.batch:
            self._due.set()
        if self.running:
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._pid = os.getpid()  # a forked child starts its own thread
                self._thread = threading.Thread(target=self._run, args=(self._generation,),
                                                name="casedesk-wal-checkpoint", daemon=True)
                self._thread.start()

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive() and self._pid == os.getpid()

    def stop(self) -> None:
        """The engine's pool is disposed (before a fork, at shutdown): end the thread after its current
        checkpoint; the next write starts another."""
        with self._lock:
            self._generation += 1
            thread = self._thread
        self._due.set()
        if thread is not None and thread is not threading.current_thread() and self._pid == os.getpid():
            thread.join(timeout=5)

    def _run(self, generation: int) -> None:
        try:
            # mode=rw: a database that is gone is not created anew
            connection = sqlite3.connect(f"{Path(self.path).as_uri()}?mode=rw", uri=True, timeout=0,
                                         isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return  # the database is gone (a test's directory removed): nothing to copy back
        last_checkpoint = time.monotonic()
        unfinished = False  # the last checkpoint left pages behind (a commit landed during it): go again
        try:
            while True:
                # Woken by a full batch, or after the longest delay a write may wait to be copied back.
                self._due.wait(self.max_delay)
                self._due.clear()
                if generation != self._generation:
                    return
                now = time.monotonic()
                if not self._pending and now - self._last_write >= self.idle:
                    return  # also ends the retries of an unfinished checkpoint (a reader that stays, a file gone)
                if self._pending >= self.batch or (
                        (self._pending or unfinished) and now - last_checkpoint >= self.max_delay):
                    self._pending = 0
                    last_checkpoint = now
                    result = checkpoint(connection)
                    self.last = result or self.last
                    unfinished = result is None or result[2] < result[1]
        finally:
            connection.close()


def checkpoint(connection: sqlite3.Connection) -> tuple[int, int, int] | None:
    """One PASSIVE checkpoint: (1 if it could not finish, pages in the WAL, pages copied back), or None
    when the database was busy or gone (the next round, or a commit's own threshold, does it)."""
    try:
        busy, logged, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    except sqlite3.Error:
        return None
    return busy, logged, copied
