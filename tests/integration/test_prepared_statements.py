"""The step's statements run straight on the driver (engine.runtime.prepared) and behave as through SQLAlchemy.

Same SQL and the same bound values reach the database, rows read back equal SQLAlchemy's, the column
limits still refuse a value with nothing written, and a driver error arrives as SQLAlchemy's exception.
"""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from engine.bootstrap import Casedesk
from engine.column_limits import UnstorableValue
from engine.runtime.store import EVENTS, HUMAN_TASKS, INSTANCES, INSERT_EVENTS, InstanceStore


def sent_to_driver(app: Casedesk, run: Any) -> list[tuple[str, Any]]:
    """(SQL, parameters) of every statement `run(conn)` sends, rolled back afterwards."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    with app.db.engine.connect() as conn:
        transaction = conn.begin()
        event.listen(app.db.engine, "before_cursor_execute", record)
        try:
            run(conn)
        finally:
            event.remove(app.db.engine, "before_cursor_execute", record)
            transaction.rollback()
    return seen


def started(app: Casedesk) -> str:
    return app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice").id


def test_an_instance_row_is_read_back_as_sqlalchemy_reads_it(app: Casedesk) -> None:
    instance_id = started(app)
    with app.db.engine.connect() as conn:
        through_sqlalchemy = conn.execute(select(INSTANCES).where(INSTANCES.c.id == instance_id)).one()._asdict()
        direct = InstanceStore(conn, lock_rows=False).lock_instance(instance_id)
    assert direct is not None
    assert vars(direct) == through_sqlalchemy
    assert direct.created_at.tzinfo is not None  # UTCDateTime's result processing applied
    (task,) = app.runtime.list_tasks(instance_id=instance_id)
    with app.db.engine.connect() as conn:
        assert InstanceStore(conn, lock_rows=False).human_tasks(instance_id) == {task.id: task}


def test_the_driver_gets_the_sql_and_values_sqlalchemy_would_send(app: Casedesk) -> None:
    instance_id = started(app)
    (row,) = [e for e in app.history.events(instance_id) if e.type == "instance_started"]
    values = {c.name: getattr(row, c.name) for c in EVENTS.c if c.name != "id"} | {"seq": 99, "hash": "f" * 64}

    direct = sent_to_driver(app, lambda conn: INSERT_EVENTS.run_many(conn, [values]))
    through_sqlalchemy = sent_to_driver(app, lambda conn: conn.execute(INSERT_EVENTS.statement, values))
    assert len(direct) == len(through_sqlalchemy) == 1
    (sql, params), (expected_sql, expected_params) = direct[0], through_sqlalchemy[0]
    assert sql == expected_sql
    # executemany hands the driver a list of rows; one row's values are SQLAlchemy's, `at` as it stores it
    assert list(params) == [expected_params]


def test_a_value_too_long_for_its_column_is_refused_on_the_direct_path_and_nothing_is_written(
        app: Casedesk) -> None:
    instance_id = started(app)
    (task,) = app.runtime.list_tasks(instance_id=instance_id)
    with pytest.raises(UnstorableValue, match="holds at most 80 characters"):
        with app.db.transaction() as conn:
            InstanceStore(conn, lock_rows=app.db.is_postgres).set_assignee(task.id, "x" * 81)
    with pytest.raises(UnstorableValue, match="NUL"):
        with app.db.transaction() as conn:
            InstanceStore(conn, lock_rows=app.db.is_postgres).set_assignee(task.id, "bob\x00")
    (task,) = app.runtime.list_tasks(instance_id=instance_id)
    assert task.assignee is None


def test_a_driver_error_arrives_as_sqlalchemys_exception_and_rolls_back(app: Casedesk) -> None:
    instance_id = started(app)
    with app.db.engine.connect() as conn:
        record = InstanceStore(conn, lock_rows=False).lock_instance(instance_id)
    assert record is not None
    with pytest.raises(IntegrityError):
        with app.db.transaction() as conn:
            InstanceStore(conn, lock_rows=app.db.is_postgres).insert_instance(record)  # the same id again
    with app.db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(INSTANCES)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(HUMAN_TASKS)).scalar_one() == 1
