"""The step's hot-path statements, compiled once per database and run straight on the driver's cursor.

SQLAlchemy's execution of a compiled Core statement (execution context, parameter and result set-up, Row
objects) costs 130–330 µs of CPU where the driver itself takes 25–120 µs, and a step sends several. A
`Prepared` statement is compiled once per dialect; its parameters and results go through the type
processors SQLAlchemy would apply (so the database holds and returns the same values), engine events
still see every statement (the statement counters of tests and benchmarks), the column limits of
engine.column_limits are checked on its parameters, and driver errors reach callers as SQLAlchemy's own
exceptions (a lock or serialization failure is still a Conflict, a dropped connection is invalidated).
Everything runs on the caller's connection, inside its transaction.
"""
from __future__ import annotations

import threading
from datetime import datetime
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.dml import UpdateBase

from engine.column_limits import refuse_text

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # bind names: in order for a positional (qmark) driver
    positional: bool
    defaults: dict[str, Any]  # binds that carry their own value (a literal in the statement)
    processors: dict[str, Processor]  # bind name -> the type's processor, where it has one
    # by `names`: name, column length, column named in a refusal, processor (or None)
    binds: tuple[tuple[str, int | None, str, Processor | None], ...]
    results: tuple[Processor | None, ...]  # by result column (a SELECT, or RETURNING)


class Prepared:
    """One Core statement (built once, at import) run without SQLAlchemy's per-execution machinery."""

    def __init__(self, statement: ClauseElement):
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}
        self._keys: dict[str, tuple[str, ...]] = {}  # result column names as the driver reports them
        self._lock = threading.Lock()

    def first(self, conn: Connection, params: dict[str, Any]) -> dict[str, Any] | None:
        rows = self._execute(conn, params, fetch=1)
        return rows[0] if rows else None

    def all(self, conn: Connection, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self._execute(conn, params, fetch=-1)

    def scalar(self, conn: Connection, params: dict[str, Any]) -> Any:
        row = self.first(conn, params)
        return None if row is None else next(iter(row.values()))

    def run(self, conn: Connection, params: dict[str, Any]) -> int:
        """Execute; the rows it changed."""
        return self._execute(conn, params, fetch=0)

    def run_many(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self._execute(conn, rows, fetch=0, many=True)

    # -- compiling ------------------------------------------------------------------------------------

    def _for(self, dialect: Any) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(dialect.name, _compile(self.statement, dialect))
        return compiled

    def _result_keys(self, dialect_name: str, compiled: _Compiled, cursor: Any) -> tuple[str, ...]:
        keys = tuple(column[0] for column in cursor.description)
        if len(keys) != len(compiled.results):
            raise RuntimeError(f"{compiled.sql[:60]}…: {len(keys)} result columns, {len(compiled.results)} typed")
        self._keys[dialect_name] = keys
        return keys

    # -- running --------------------------------------------------------------------------------------

    def _execute(self, conn: Connection, params: Any, fetch: int, many: bool = False) -> Any:
        dialect = conn.dialect
        compiled = self._for(dialect)
        sent = [_bound(compiled, row) for row in params] if many else _bound(compiled, params)
        if not conn.in_transaction():
            conn.begin()  # as SQLAlchemy's execute would (autobegin): SQLite's BEGIN comes from its begin event
        dbapi_connection = conn.connection.dbapi_connection
        cursor = dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            listeners = conn.dispatch.before_cursor_execute
            if listeners:  # statement counters; column limits were checked above (no context to hand over)
                listeners(conn, cursor, compiled.sql, sent, None, many)
            if many:
                cursor.executemany(compiled.sql, sent)
            else:
                cursor.execute(compiled.sql, sent)
            if fetch == 0:
                return cursor.rowcount
            raw = cursor.fetchmany(1) if fetch == 1 else cursor.fetchall()
            keys = self._keys.get(dialect.name) or self._result_keys(dialect.name, compiled, cursor)
            return [{key: (value if process is None or value is None else process(value))
                     for key, process, value in zip(keys, compiled.results, row)} for row in raw]
        except dialect.loaded_dbapi.Error as exc:
            raise _wrapped(conn, dbapi_connection, cursor, compiled.sql, sent, exc) from exc
        finally:
            cursor.close()


class Savepoint:
    """A savepoint on the driver's cursor, as SQLAlchemy's `begin_nested()` sends it (SAVEPOINT, then RELEASE
    SAVEPOINT or ROLLBACK TO SAVEPOINT) without its 230–320 µs of CPU per call; engine events see each statement.
    The same name nests: both databases resolve it to the innermost savepoint of that name."""

    NAME = "casedesk_call"

    def __init__(self, conn: Connection):
        self._conn = conn
        _send(conn, f"SAVEPOINT {self.NAME}")

    def commit(self) -> None:
        _send(self._conn, f"RELEASE SAVEPOINT {self.NAME}")

    def rollback(self) -> None:
        _send(self._conn, f"ROLLBACK TO SAVEPOINT {self.NAME}")


def _send(conn: Connection, sql: str) -> None:
    if not conn.in_transaction():
        conn.begin()  # as Prepared._execute: the transaction (SQLite's BEGIN) comes first
    dbapi_connection = conn.connection.dbapi_connection
    cursor = dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        listeners = conn.dispatch.before_cursor_execute
        if listeners:
            listeners(conn, cursor, sql, (), None, False)
        cursor.execute(sql)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(conn, dbapi_connection, cursor, sql, (), exc) from exc
    finally:
        cursor.close()


def _bound(compiled: _Compiled, params: dict[str, Any]) -> Any:
    values = {**compiled.defaults, **params} if compiled.defaults else params
    bound = []
    try:
        for name, length, column, process in compiled.binds:
            value = values[name]
            if type(value) is str and ("\x00" in value or (length is not None and len(value) > length)):
                refuse_text(value, length, column)
            bound.append(value if process is None else process(value))
    except KeyError as missing:
        raise ValueError(f"no value for bind parameter {missing} of {compiled.sql[:60]}…") from None
    return tuple(bound) if compiled.positional else dict(zip(compiled.names, bound))


def _remembering(process: Processor) -> Processor:
    """The processor, remembering the last moment it converted: a step's events, inbox rows and instance row
    carry one `now` object, whose conversion (to naive UTC, then the driver's text) costs about 3 µs a time.
    Only `datetime` values, which cannot change, are remembered; the same object gives the same text."""
    memo: list[tuple[Any, Any]] = [(None, None)]  # replaced whole: another thread reads an old or a new pair

    def remembered(value: Any) -> Any:
        if type(value) is not datetime:
            return process(value)
        seen, result = memo[0]
        if value is not seen:
            result = process(value)
            memo[0] = (value, result)
        return result
    return remembered


def _wrapped(conn: Connection, dbapi_connection: Any, cursor: Any, sql: str, params: Any,
             exc: Exception) -> DBAPIError:
    """The exception SQLAlchemy would raise, the connection invalidated if it was lost."""
    dialect = conn.dialect
    lost = dialect.is_disconnect(exc, dbapi_connection, cursor)
    if lost:
        conn.invalidate(exc)
    return DBAPIError.instance(sql, params, exc, dialect.loaded_dbapi.Error, connection_invalidated=lost,
                               dialect=dialect)


def _compile(statement: ClauseElement, dialect: Any) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    binds = {name: bind for bind, name in compiled.bind_names.items()}  # as rendered in the SQL
    processors = {}
    defaults = {}
    for name, bind in binds.items():
        if bind.expanding:
            raise ValueError(f"{name}: an expanding bind (IN list) changes the SQL with its value")
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = _remembering(process)
        if not bind.required:
            defaults[name] = bind.effective_value
    # What engine.column_limits checks: every text for NUL, and the lengths of the columns an INSERT or
    # UPDATE writes.
    table = getattr(statement, "table", None) if isinstance(statement, UpdateBase) else None
    names = tuple(compiled.positiontup or ()) if dialect.positional else tuple(binds)
    checked = tuple((name, getattr(binds[name].type, "length", None) if table is not None else None,
                     _column(table, name), processors.get(name)) for name in names)
    returned = list(getattr(statement, "exported_columns", ()))  # a SELECT's columns, or RETURNING's
    results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returned)
    if compiled.escaped_bind_names:
        raise ValueError(f"bind names that need escaping: {sorted(compiled.escaped_bind_names)}")
    return _Compiled(str(compiled), names, dialect.positional, defaults, processors, checked, results)


def _column(table: Any, bind_name: str) -> str:
    if table is None:
        return bind_name
    return f"{table.name}.{bind_name if bind_name in table.c else bind_name.removeprefix('i_')}"
