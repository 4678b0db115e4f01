"""Each engine's pool hands out the connection returned last, so a thread's steps keep one warm connection
(SQLite: its page cache; PostgreSQL: the statements psycopg prepared on it) instead of taking the pool's
connections in turn, each of whose caches another connection's writes had emptied."""
from __future__ import annotations

from sqlalchemy import Engine, text

from engine.persistence import Database, make_engine


def _connection_ids(db: Database, steps: int) -> list[int]:
    ids = []
    for i in range(steps):
        with db.transaction() as conn:
            conn.execute(text("INSERT INTO pool_probe (id, body) VALUES (:i, :b)"), {"i": i, "b": f"note {i}"})
            ids.append(id(conn.connection.dbapi_connection))
    return ids


def _with_idle_connections(engine: Engine, count: int) -> None:
    """Leave `count` connections idle in the pool, as a server's busy minute does."""
    held = [engine.connect() for _ in range(count)]
    for conn in held:
        conn.exec_driver_sql("SELECT 1")
    for conn in held:
        conn.close()


def _steps_reuse_one_connection(url: str) -> None:
    db = Database(make_engine(url))
    try:
        with db.transaction() as conn:
            conn.execute(text("CREATE TABLE pool_probe (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
        _with_idle_connections(db.engine, 4)
        assert len(set(_connection_ids(db, 12))) == 1
    finally:
        with db.transaction() as conn:
            conn.execute(text("DROP TABLE pool_probe"))
        db.engine.dispose()


def test_consecutive_steps_reuse_the_connection_whose_caches_are_warm(database_url: str) -> None:
    _steps_reuse_one_connection(database_url)
