"""Fewer PostgreSQL round trips per transaction: BEGIN rides with the first statement, a marked write with COMMIT.

psycopg opens a transaction by sending BEGIN and waiting for its answer before the first statement, and
sends COMMIT on its own at the end; a task completion (read, write) then waits for four round trips,
each a wake-up of the server process, which is what a loaded machine makes slow. Here psycopg runs in
autocommit mode and the transaction is opened by us, in pipeline mode:

* BEGIN is queued in front of the transaction's first statement; both are answered in one round trip.
* A statement executed with the `SEND_WITH_COMMIT` execution option is sent at once but its answer is
  not awaited; COMMIT follows it in the same pipeline when the transaction commits, and both are answered
  in one round trip. Its result is therefore never read: such a statement must raise an error for
  anything that should stop the commit (PostgreSQL then skips the COMMIT and the transaction rolls
  back). A division by zero in it means "the row it had to change was changed by someone else" and
  reaches the caller as a Conflict. Any other statement executed meanwhile first collects its answer.

ROLLBACK and COMMIT of a transaction without a pending write are sent by psycopg as before (it sends
them whenever a transaction is open, autocommit or not). A connection switched to AUTOCOMMIT through
SQLAlchemy (Alembic's autocommit blocks) gets no BEGIN; one given an isolation level, read-only or
deferrable mode is left to psycopg, whose BEGIN states them.
"""
from __future__ import annotations

import weakref
from contextlib import ExitStack, contextmanager
from typing import Any, Callable, Iterator

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

from engine.errors import Conflict

SEND_WITH_COMMIT = "casedesk_send_with_commit"


class Pipelining:
    """The per-connection state: whose BEGIN is still to be sent, which write waits for its COMMIT."""

    def __init__(self) -> None:
        self._begin: weakref.WeakSet[Any] = weakref.WeakSet()  # driver connections, BEGIN not sent yet
        self._open: weakref.WeakKeyDictionary[Any, ExitStack] = weakref.WeakKeyDictionary()  # a write awaits COMMIT

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "begin", self._on_begin)
        event.listen(engine, "commit", self._on_commit)
        event.listen(engine, "rollback", self._on_rollback)
        event.listen(engine, "do_execute", lambda cursor, statement, parameters, context: self._execute(
            cursor, context, lambda: cursor.execute(statement, parameters)))
        event.listen(engine, "do_execute_no_params", lambda cursor, statement, context: self._execute(
            cursor, context, lambda: cursor.execute(statement)))
        event.listen(engine, "do_executemany", lambda cursor, statement, parameters, context: self._execute(
            cursor, context, lambda: cursor.executemany(statement, parameters)))

    def _on_begin(self, conn: Any) -> None:
        if conn.get_execution_options().get("isolation_level") is not None:
            return  # AUTOCOMMIT (no transaction at all) or a chosen level: psycopg's own BEGIN says which
        driver = conn.connection.dbapi_connection
        if driver.info.transaction_status != TransactionStatus.IDLE:
            return
        if (driver.isolation_level, driver.read_only, driver.deferrable) != (None, None, None):
            return  # psycopg would send BEGIN with these characteristics; a plain BEGIN would drop them
        if not driver.autocommit:
            driver.autocommit = True  # no network: psycopg only stops sending BEGIN itself
        self._begin.add(driver)

    def _execute(self, cursor: Any, context: Any, send: Callable[[], None]) -> bool:
        """Send the statement ourselves (True) when a BEGIN or a write travels with it; else SQLAlchemy does."""
        driver = cursor.connection
        begin = self._take_begin(driver)
        carried = self._open.pop(driver, None)  # holds a write sent earlier
        deferred = bool(context.execution_options.get(SEND_WITH_COMMIT)) and driver.autocommit
        if not (begin or carried is not None or deferred):
            return False
        stack = carried
        if stack is None:
            stack = ExitStack()
            stack.enter_context(driver.pipeline())
        # The write sent earlier may answer with its error while this statement is sent (psycopg reads what
        # has arrived) or when the pipeline is left (it waits for every answer and raises the first error).
        with self._failing(stack, carried is not None):
            if begin:
                driver.execute("BEGIN")
            send()
            if deferred:
                self._open[driver] = stack  # answered with the COMMIT, or with the next statement
                return True
            stack.close()
        return True

    def _take_begin(self, driver: Any) -> bool:
        if driver not in self._begin:
            return False
        self._begin.discard(driver)
        return driver.autocommit and driver.info.transaction_status == TransactionStatus.IDLE

    def _on_commit(self, conn: Any) -> None:
        driver = conn.connection.dbapi_connection
        self._begin.discard(driver)  # a transaction that ran no statement: nothing to commit
        stack = self._open.pop(driver, None)
        if stack is None:
            return  # psycopg sends COMMIT itself
        try:
            with self._failing(stack, True):
                driver.execute("COMMIT")
                stack.close()
        except psycopg.Error as exc:
            # Outside SQLAlchemy's own error handling: give callers the exception it would have raised.
            raise DBAPIError.instance("COMMIT", None, exc, psycopg.Error) from exc

    def _on_rollback(self, conn: Any) -> None:
        driver = conn.connection.dbapi_connection
        self._begin.discard(driver)
        stack = self._open.pop(driver, None)
        if stack is not None:
            self._abandon(stack)

    @staticmethod
    def _abandon(stack: ExitStack) -> None:
        try:
            stack.close()
        except psycopg.Error:
            pass  # the transaction is being rolled back: its statements' failures no longer matter

    @contextmanager
    def _failing(self, stack: ExitStack, carries_write: bool) -> Iterator[None]:
        """On any error leave the pipeline (the transaction is rolled back); a carried write's division by
        zero is the Conflict it stands for."""
        try:
            yield
        except BaseException as exc:
            self._abandon(stack)
            if carries_write and isinstance(exc, psycopg.errors.DivisionByZero):
                raise Conflict("the instance was changed by someone else; reload and try again") from exc
            raise


def pipeline_transactions(engine: Engine) -> Engine:
    Pipelining().attach(engine)
    return engine
