"""How an idle worker waits for its next job: LISTEN/NOTIFY on PostgreSQL, a short poll on SQLite."""
from __future__ import annotations

import logging
import os
import select
import threading
import time
from datetime import datetime, timezone
from typing import Any, Protocol

import psycopg
from sqlalchemy import Engine

log = logging.getLogger(__name__)

CHANNEL = "casedesk_jobs"  # notified by the triggers of migration 0013_perf_job_wakeups
RECONNECT_SECONDS = 1.0


class Wakeups(Protocol):
    def listen(self) -> None:
        """Start listening; call before looking for due jobs, so nothing scheduled after that look is missed."""

    def wait(self, until: datetime | None, longest: float) -> None:
        """Return at `until` (None: no job scheduled), after `longest` seconds at most, or when woken sooner."""

    def interrupt(self) -> None:
        """Make a waiting `wait` return now (the worker is stopping); safe from any thread."""

    def close(self) -> None: ...


class PollWakeups:
    """SQLite has no notifications: an idle worker looks again every `poll_seconds`."""

    def __init__(self, poll_seconds: float):
        self.poll_seconds = poll_seconds
        self._woken = threading.Event()

    def listen(self) -> None:
        pass

    def wait(self, until: datetime | None, longest: float) -> None:
        self._woken.wait(min(_seconds_until(until, longest), self.poll_seconds))

    def interrupt(self) -> None:
        self._woken.set()

    def close(self) -> None:
        pass


class NotifyWakeups:
    """PostgreSQL: sleep until the next due job, woken early by a NOTIFY that the scheduling
    transaction sends when it commits a job due sooner (see the migration's triggers)."""

    def __init__(self, url: str):
        self.url = url
        self._conn: psycopg.Connection[Any] | None = None
        self._interrupt_read, self._interrupt_write = os.pipe()
        os.set_blocking(self._interrupt_read, False)

    @classmethod
    def for_engine(cls, engine: Engine) -> "NotifyWakeups":
        return cls(engine.url.set(drivername="postgresql").render_as_string(hide_password=False))

    def listen(self) -> None:
        if self._conn is None:
            self._conn = psycopg.connect(self.url, autocommit=True)
            self._conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, until: datetime | None, longest: float) -> None:
        deadline = _seconds_until(until, longest)
        due_epoch = until.timestamp() if until is not None else None
        started = time.monotonic()
        while True:
            left = deadline - (time.monotonic() - started)
            if left <= 0:
                return
            try:
                self.listen()
            except psycopg.Error as exc:  # the database is away: the worker's next look reports it
                log.warning("cannot listen for job notifications: %s", exc)
                self._sleep(min(left, RECONNECT_SECONDS))
                return
            assert self._conn is not None
            ready, _, _ = select.select([self._conn.pgconn.socket, self._interrupt_read], [], [], left)
            if self._interrupt_read in ready:
                self._drain_interrupts()
                return
            if not ready:
                return
            payloads = self._notifications()
            if payloads is None or any(_sooner(p, due_epoch) for p in payloads):
                return

    def _notifications(self) -> list[str] | None:
        """The payloads that arrived; None when the connection broke (anything may have been missed)."""
        assert self._conn is not None
        pgconn = self._conn.pgconn
        try:
            pgconn.consume_input()
        except psycopg.Error as exc:
            log.warning("job notifications interrupted, reconnecting: %s", exc)
            self._drop()
            return None
        payloads = []
        while (notify := pgconn.notifies()) is not None:
            payloads.append(notify.extra.decode())
        if pgconn.status != psycopg.pq.ConnStatus.OK:
            self._drop()
            return None
        return payloads

    def interrupt(self) -> None:
        try:
            os.write(self._interrupt_write, b"x")
        except OSError:  # closed already, or the pipe is full of earlier interrupts: either way we wake
            pass

    def close(self) -> None:
        self._drop()
        for fd in (self._interrupt_read, self._interrupt_write):
            try:
                os.close(fd)
            except OSError:
                pass

    def _sleep(self, seconds: float) -> None:
        ready, _, _ = select.select([self._interrupt_read], [], [], seconds)
        if ready:
            self._drain_interrupts()

    def _drain_interrupts(self) -> None:
        try:
            while os.read(self._interrupt_read, 64):
                pass
        except BlockingIOError:
            pass

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:
                pass
            self._conn = None


def wakeups_for(engine: Engine, poll_seconds: float) -> Wakeups:
    return NotifyWakeups.for_engine(engine) if engine.dialect.name == "postgresql" else PollWakeups(poll_seconds)


def _sooner(payload: str, due_epoch: float | None) -> bool:
    """A job due before the one we wait for (or a change we cannot date) ends the wait."""
    if due_epoch is None or not payload:
        return True
    try:
        return float(payload) < due_epoch
    except ValueError:
        return True


def _seconds_until(until: datetime | None, longest: float) -> float:
    if until is None:
        return longest
    return max(0.0, min(longest, (until - datetime.now(timezone.utc)).total_seconds()))
