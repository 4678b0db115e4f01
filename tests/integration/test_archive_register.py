"""The archive register (R-6.1, R-6.2): filing handlers, one gap-free number series per class, append-only items."""
from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Connection, text

from casework.archive_register import ARCHIVES
from engine.bootstrap import Casedesk
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from handlers.archive import file_case_records, file_materials
from handlers.context import HandlerContext
from handlers.registry import build_registry


def step_context(connection: Connection, now: datetime) -> HandlerContext:
    """What a handler sees of a case step: its instance, the recorded time and the step's connection."""
    return HandlerContext(instance_id="00000000-0000-0000-0000-000000000001", task_id="t", task_spec="file",
                          process_key="business_case", now=now, connection=connection)


def file(app: Casedesk, case_number: str, business_type: str = "sales", **extra: Any) -> str:
    with app.db.transaction() as conn:
        params = {"title": f"Case {case_number}", "materials": ["application form", "ID copy"], **extra}
        return file_materials(step_context(conn, app.clock.now()), case_number, business_type, **params)[
            "archive_number"]


def test_filing_operators_are_registered() -> None:
    registry = build_registry()
    assert registry["file_materials"] is file_materials
    assert registry["file_case_records"] is file_case_records


def test_r_6_2_each_class_numbers_its_archives_in_its_own_series(app: Casedesk) -> None:
    assert file(app, "XS-20260105-0001") == "DA-XS-2026-000001"
    assert file(app, "XS-20260105-0002") == "DA-XS-2026-000002"
    assert file(app, "CW-20260105-0001", "finance") == "DA-CW-2026-000001"
    assert file(app, "CG-20260105-0001", "procurement") == "DA-CG-2026-000001"
    assert file(app, "ZH-20260105-0001", "general") == "DA-ZH-2026-000001"
    app.users.add_user("ada", "archivist-pw", ["archivist"])
    register = app.archives.list_register("ada")
    assert [(e.number, e.archive_class, e.case_number, e.items, e.status) for e in register] == [
        ("DA-CG-2026-000001", "procurement", "CG-20260105-0001", 2, "open"),
        ("DA-CW-2026-000001", "finance", "CW-20260105-0001", 2, "open"),
        ("DA-XS-2026-000001", "sales", "XS-20260105-0001", 2, "open"),
        ("DA-XS-2026-000002", "sales", "XS-20260105-0002", 2, "open"),
        ("DA-ZH-2026-000001", "general", "ZH-20260105-0001", 2, "open"),
    ]


def test_r_6_2_a_rolled_back_filing_gives_its_number_back(app: Casedesk) -> None:
    with pytest.raises(RuntimeError):
        with app.db.transaction() as conn:
            file_materials(step_context(conn, app.clock.now()), "XS-1", "sales", "t", ["form"])
            raise RuntimeError("the step failed after filing")
    assert file(app, "XS-1") == "DA-XS-2026-000001"


@pytest.mark.parametrize("case_number, business_type, title, materials, message", [
    ("XS-1", "marketing", "t", ["form"], "unknown business type 'marketing'"),
    ("", "sales", "t", ["form"], "case_number"),
    ("XS-1", "sales", " ", ["form"], "title"),
    ("XS-1", "sales", "t", ["form", ""], "materials"),
    ("XS-1", "sales", "t", "form", "materials"),
])
def test_bad_filing_is_refused_clearly_and_stores_nothing(
    app: Casedesk, case_number: str, business_type: str, title: str, materials: Any, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        with app.db.transaction() as conn:
            file_materials(step_context(conn, app.clock.now()), case_number, business_type, title, materials)
    with app.db.transaction() as conn:
        assert conn.execute(ARCHIVES.select()).all() == []
    assert file(app, "XS-2") == "DA-XS-2026-000001"


def test_a_case_is_archived_once(app: Casedesk) -> None:
    file(app, "XS-1")
    with pytest.raises(Conflict, match="case XS-1 already has archive DA-XS-2026-000001"):
        file(app, "XS-1")


def test_r_6_1_case_records_complete_the_archive(app: Casedesk) -> None:
    number = file(app, "XS-1")
    with app.db.transaction() as conn:
        filed = file_case_records(step_context(conn, app.clock.now()), number, {
            "processing": {"handler": "sam", "result": "contract reviewed"},
            "feedback": {"channel": "email", "satisfied": True},
        })
    assert filed == {"archive_number": number, "items": 2}
    app.users.add_user("ada", "archivist-pw", ["archivist"])
    [entry] = app.archives.list_register("ada")
    assert (entry.status, entry.items) == ("complete", 4)
    with pytest.raises(Conflict, match="already complete"):
        with app.db.transaction() as conn:
            file_case_records(step_context(conn, app.clock.now()), number, {"late": "x"})
    with pytest.raises(NotFound, match="no archive DA-XS-2026-000099"):
        with app.db.transaction() as conn:
            file_case_records(step_context(conn, app.clock.now()), "DA-XS-2026-000099", {"x": 1})


@pytest.mark.parametrize("table", ["archive_item", "archive_access"])
def test_filed_items_and_the_access_log_cannot_be_changed_or_removed(app: Casedesk, table: str) -> None:
    number = file(app, "XS-1")
    with pytest.raises(Forbidden):
        app.archives.read(number, "alice")
    for statement in (f"UPDATE {table} SET id = id + 100", f"DELETE FROM {table}"):
        with pytest.raises(Exception, match="append-only"):
            with app.db.transaction() as conn:
                conn.execute(text(statement))
    with app.db.transaction() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == (2 if table == "archive_item" else 1)


def test_register_is_listed_only_to_archivist_and_auditor(app: Casedesk) -> None:
    file(app, "XS-1")
    app.users.add_user("sam", "staff-pw-1", ["staff", "sales"])
    with pytest.raises(Forbidden, match="sam may not list the archive register"):
        app.archives.list_register("sam")
    assert [e.number for e in app.archives.list_register("audrey")] == ["DA-XS-2026-000001"]


def test_r_6_2_concurrent_filings_get_distinct_consecutive_numbers(app: Casedesk) -> None:
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def filer(i: int) -> None:
        try:
            barrier.wait()
            numbers.append(file(app, f"XS-{i}"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=filer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"DA-XS-2026-{n:06d}" for n in range(1, 9)]
