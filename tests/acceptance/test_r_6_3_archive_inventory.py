"""R-6.3 Storage: a periodic inventory checks that every archive is complete and every loan is back."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from engine.bootstrap import Casedesk
from engine.errors import Forbidden
from tests.acceptance.archive_desk import ArchiveDesk


@pytest.fixture
def desk(app: Casedesk) -> ArchiveDesk:
    return ArchiveDesk.set_up(app)


def test_r_6_3_inventory_of_a_complete_register_finds_nothing(app: Casedesk, desk: ArchiveDesk) -> None:
    desk.file("XS-20260105-0001")
    desk.file("CW-20260105-0001", "finance")
    report = app.archives.inventory("ada")
    assert report.ok
    assert (report.archives_per_class, report.items) == ({"finance": 1, "sales": 1}, 4)


def test_r_6_3_inventory_finds_missing_items_and_loans_past_their_due_date(app: Casedesk, desk: ArchiveDesk) -> None:
    number = desk.file("XS-20260105-0001")
    borrowing = desk.apply("sam", number, days=2)
    desk.approve(borrowing)
    with app.db.transaction() as conn:
        # An item filed out of sequence: items 3 and 4 are not in the register.
        conn.execute(text("INSERT INTO archive_item (archive_id, seq, kind, name, content, filed_at) "
                          "SELECT id, 5, 'case_record', 'stray', '{}', opened_at FROM archive"))
    app.clock.advance(timedelta(days=2))

    report = app.archives.inventory("audrey")
    assert [(f.number, f.problem.split(":")[0].split(",")[0]) for f in report.findings] == [
        (number, "filed items missing"),
        (number, "lent to sam under borrowing " + borrowing),
    ]
    assert "[3, 4]" in report.findings[0].problem
    with pytest.raises(Forbidden, match="sam may not take the archive inventory"):
        app.archives.inventory("sam")


def test_r_6_3_archivist_checks_the_inventory_on_the_first_of_every_month(app: Casedesk, desk: ArchiveDesk) -> None:
    desk.file("XS-20260105-0001")
    app.clock.set(datetime(2026, 2, 1, 0, 59, tzinfo=timezone.utc))
    assert app.jobs.run_due(worker="test") == 0
    app.clock.set(datetime(2026, 2, 1, 1, 0, tzinfo=timezone.utc))  # 09:00 in Beijing
    assert app.jobs.run_due(worker="test") == 1

    [check] = [t for t in app.runtime.list_tasks(user="ada") if t.task_spec == "check_inventory"]
    assert check.due_at == app.clock.now() + timedelta(days=3)
    assert desk.inbox("sam") == []
    app.runtime.warm.clear()
    done = app.runtime.complete_task(check.id, {"complete": True, "findings": "1 sales archive, collecting"},
                                     actor="ada")
    assert done.status == "completed"
