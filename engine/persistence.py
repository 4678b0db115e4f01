"""Database engines, migrations and the unit of work; the only place that commits."""
from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.column_limits import refuse_unstorable_values
from engine.errors import Conflict, N_
from engine.wal_checkpoints import WAL_FALLBACK_PAGES, WalCheckpointer

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """Send plain postgresql:// URLs to psycopg 3, the only driver we ship."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, echo: bool = False) -> Engine:
    """The engine for `url`. Its pool hands out the connection returned last (LIFO), not the one idle longest:
    a SQLite connection keeps its page cache only while no other connection has written since its last
    transaction, so taking the pool's connections in turn (FIFO) emptied the cache at nearly every step
    (11 times the page reads); a PostgreSQL connection keeps the statements psycopg has prepared on it,
    and the connections a quiet hour leaves idle stay idle."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return refuse_unstorable_values(_sqlite_engine(url, echo))
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_use_lifo=True)
    _ping_when_idle(engine)
    return refuse_unstorable_values(engine)


# A pooled connection idle this long is pinged before use (the server may have restarted or a
# proxy dropped it); one in steady use is not: a ping per checkout is a round trip per step.
IDLE_PING_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["casedesk_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("casedesk_idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return  # new, or returned a moment ago
        try:
            ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - any failure: the pool replaces this connection
            raise DisconnectionError(str(exc)) from exc


def ping(dbapi_connection: Any) -> None:
    dbapi_connection.execute("SELECT 1")
    dbapi_connection.rollback()  # leave no transaction open behind the ping


def _sqlite_engine(url: str, echo: bool) -> Engine:
    database = make_url(url).database
    in_file = bool(database) and database != ":memory:"
    if in_file:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # An in-memory database lives in one connection per thread (SingletonThreadPool): no queue to order.
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False},
                           **({"pool_use_lifo": True} if in_file else {}))
    # A step's commit only appends to the WAL; copying it back into the file happens beside it.
    checkpoints = WalCheckpointer(str(Path(database).resolve())) if in_file else None
    if checkpoints is not None:
        _CHECKPOINTS[engine] = checkpoints
        event.listen(engine, "engine_disposed", lambda _engine: checkpoints.stop())

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN IMMEDIATE can be issued.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if checkpoints is not None:  # the background thread copies the WAL back (engine.wal_checkpoints)
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_FALLBACK_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock at BEGIN, so two writers serialize instead of
        # failing on a stale read snapshot; readers stay concurrent.
        write = conn.get_execution_options().get("casedesk_write", False)
        # Straight to the driver: this runs on every transaction and needs no statement machinery.
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        if write and checkpoints is not None:
            checkpoints.wrote()

    return engine


# SQLite file engines and their WAL checkpointers (by engine, forgotten with it).
_CHECKPOINTS: WeakKeyDictionary[Engine, WalCheckpointer] = WeakKeyDictionary()


def wal_checkpoints(engine: Engine) -> WalCheckpointer | None:
    """The background checkpointer of a SQLite file engine (engine.wal_checkpoints), if it has one."""
    return _CHECKPOINTS.get(engine)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


class Database:
    """Session factories for reads and for serialized writes."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.is_postgres = engine.dialect.name == "postgresql"
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write_engine = engine.execution_options(casedesk_write=True)
        self._write = sessionmaker(self._write_engine, expire_on_commit=False)
        # PostgreSQL reads in autocommit: each statement sees what was committed before it, as in a
        # READ COMMITTED transaction, without the BEGIN and ROLLBACK round trips around it.
        self._read_engine = engine.execution_options(isolation_level="AUTOCOMMIT") if self.is_postgres else engine

    @contextmanager
    def unit_of_work(self, write: bool = True) -> Iterator[Session]:
        """An ORM transaction: committed when the block ends normally, rolled back otherwise."""
        session = (self._write if write else self._read)()
        try:
            with _conflicts_named():
                yield session
                if write:
                    session.commit()
            # A read-only block just closes: objects stay loaded (detached), nothing is written.
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A Core connection for reads on a request's hot path (never writes: nothing commits here)."""
        with self._read_engine.connect() as connection:
            yield connection

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A Core write transaction for the step's hot path; same commit/rollback rules."""
        with _conflicts_named(), self._write_engine.begin() as connection:
            yield connection


@contextmanager
def _conflicts_named() -> Iterator[None]:
    """Lost races reach callers as Conflict, whichever database reported them."""
    try:
        yield
    except StaleDataError as exc:
        raise Conflict(N_("the instance was changed by someone else; reload and try again")) from exc
    except OperationalError as exc:
        text = str(exc).lower()
        if "locked" in text or "could not serialize" in text or "deadlock" in text:
            raise Conflict(N_("the database is busy with a conflicting change; try again")) from exc
        raise
