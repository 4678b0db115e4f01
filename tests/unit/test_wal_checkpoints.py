"""SQLite's WAL is copied back into the database file by a background thread, not by the step whose
commit crosses the threshold; the durability settings stay as they were."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Callable

from sqlalchemy import text

from engine.persistence import Database, make_engine, wal_checkpoints
from engine.wal_checkpoints import WAL_FALLBACK_PAGES, WalCheckpointer


def _database(tmp_path: Path) -> Database:
    db = Database(make_engine(f"sqlite:///{tmp_path / 'casedesk.db'}"))
    with db.transaction() as conn:
        conn.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
    return db


def _write_notes(db: Database, count: int) -> None:
    for i in range(count):
        with db.transaction() as conn:
            conn.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": f"note {i} " * 300})


def _eventually(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Poll until `condition()` holds: a background thread's work, on a machine that may be busy."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_journal_mode_and_synchronous_stay_and_a_commit_checkpoints_itself_only_past_the_fallback(
        tmp_path: Path) -> None:
    db = _database(tmp_path)
    try:
        with db.transaction() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == WAL_FALLBACK_PAGES
    finally:
        db.engine.dispose()
    memory = make_engine("sqlite://")  # no file, no thread: SQLite's own threshold
    try:
        with memory.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    finally:
        memory.dispose()


def test_pages_written_by_steps_are_copied_back_before_the_automatic_threshold(tmp_path: Path) -> None:
    db = _database(tmp_path)
    try:
        _write_notes(db, 30)  # ~30 × 1 page: far below the 1,000 pages at which a commit would copy them
        checkpoints = wal_checkpoints(db.engine)
        assert checkpoints is not None and checkpoints.running
        # A checkpoint that ran while the notes were still being written copied part of them; the
        # next one copies the rest, with no further write to prompt it.
        assert _eventually(lambda: checkpoints.last is not None and checkpoints.last[2] > 0
                           and checkpoints.last[2] == checkpoints.last[1])
        busy, logged, copied = checkpoints.last  # type: ignore[misc]
        assert busy == 0 and copied == logged
    finally:
        db.engine.dispose()


def test_pages_a_reader_held_back_are_copied_once_it_finishes_without_another_write(tmp_path: Path) -> None:
    db = _database(tmp_path)
    reader = sqlite3.connect(tmp_path / "casedesk.db", isolation_level=None)
    try:
        _write_notes(db, 3)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM note").fetchone()  # a snapshot the checkpoint must not pass
        _write_notes(db, 3)
        checkpoints = wal_checkpoints(db.engine)
        assert checkpoints is not None
        assert _eventually(lambda: checkpoints.last is not None and 0 < checkpoints.last[2] < checkpoints.last[1])
        reader.execute("COMMIT")
        assert _eventually(lambda: checkpoints.last is not None and checkpoints.last[2] == checkpoints.last[1])
    finally:
        reader.close()
        db.engine.dispose()


def test_disposing_the_engine_ends_the_thread_and_the_next_write_starts_another(tmp_path: Path) -> None:
    db = _database(tmp_path)
    checkpoints = wal_checkpoints(db.engine)
    assert checkpoints is not None and checkpoints.running
    db.engine.dispose()  # as before a fork, or at shutdown
    assert not checkpoints.running
    _write_notes(db, 1)
    assert checkpoints.running
    db.engine.dispose()
    assert not checkpoints.running


def test_the_thread_ends_when_nothing_is_written(tmp_path: Path) -> None:
    _database(tmp_path).engine.dispose()
    checkpoints = WalCheckpointer(str(tmp_path / "casedesk.db"), batch=1, max_delay=0.01, idle=0.05)
    checkpoints.wrote()
    assert checkpoints.running
    assert _eventually(lambda: not checkpoints.running)
    checkpoints.wrote()
    assert checkpoints.running
    checkpoints.stop()
    assert not checkpoints.running


def test_the_thread_ends_when_nothing_is_written_even_while_a_reader_holds_pages_back(tmp_path: Path) -> None:
    _database(tmp_path).engine.dispose()
    path = tmp_path / "casedesk.db"
    writer = sqlite3.connect(path, isolation_level=None)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("INSERT INTO note (body) VALUES ('before the reader')")
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM note").fetchone()  # a snapshot no checkpoint may pass, held
        writer.execute("INSERT INTO note (body) VALUES ('after the reader')")
        checkpoints = WalCheckpointer(str(path), batch=1, max_delay=0.01, idle=0.2)
        checkpoints.wrote()
        assert _eventually(lambda: checkpoints.last is not None)
        assert checkpoints.last[2] < checkpoints.last[1]  # type: ignore[index]  # pages held back
        assert _eventually(lambda: not checkpoints.running)  # it retried, then went idle
    finally:
        reader.close()
        writer.close()


def test_a_database_file_that_is_gone_is_not_created_again(tmp_path: Path) -> None:
    checkpoints = WalCheckpointer(str(tmp_path / "gone.db"), batch=1, max_delay=0.01, idle=0.05)
    checkpoints.wrote()
    assert _eventually(lambda: not checkpoints.running)
    assert not (tmp_path / "gone.db").exists()


def test_an_in_memory_database_has_no_checkpointer() -> None:
    engine = make_engine("sqlite://")
    try:
        assert wal_checkpoints(engine) is None
    finally:
        engine.dispose()
