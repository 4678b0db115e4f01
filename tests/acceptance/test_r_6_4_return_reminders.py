"""R-6.4 return by the due date: a reminder before it, escalation to the archivist after it.

Timers fire through the job runner (`app.jobs.run_due`) at the fake clock's time; nothing sleeps."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.bootstrap import Casedesk
from engine.errors import Forbidden
from tests.acceptance.archive_desk import ArchiveDesk


@pytest.fixture
def desk(app: Casedesk) -> ArchiveDesk:
    return ArchiveDesk.set_up(app)


def test_r_6_4_borrower_is_reminded_before_the_due_date(app: Casedesk, desk: ArchiveDesk) -> None:
    number = desk.file("XS-20260105-0001")
    borrowing = desk.apply("sam", number, days=7)
    desk.approve(borrowing)
    granted = app.clock.now()

    app.clock.set(granted + timedelta(days=6) - timedelta(minutes=1))
    app.jobs.run_due(worker="test")
    assert app.archives.borrowing(borrowing).reminded_at is None

    app.clock.set(granted + timedelta(days=6))
    app.jobs.run_due(worker="test")
    assert app.archives.borrowing(borrowing).reminded_at == granted + timedelta(days=6)
    # The reminder does not end anything: the borrower still holds the archive and still returns it.
    assert desk.ready(borrowing) == ["return_archive"]
    assert desk.read_items(number, "sam") == ["application form", "ID copy"]

    desk.complete(borrowing, "return_archive", "sam", {"returned": True})
    assert desk.status(borrowing) == "completed"
    assert app.archives.borrowing(borrowing).status == "returned"
    assert app.history.verify(borrowing).ok


def test_r_6_4_overdue_return_is_escalated_to_the_archivist(app: Casedesk, desk: ArchiveDesk) -> None:
    number = desk.file("XS-20260105-0001")
    borrowing = desk.apply("sam", number, days=2)
    desk.approve(borrowing)
    due = app.archives.borrowing(borrowing).expires_at
    assert due is not None

    app.clock.set(due - timedelta(days=1))
    app.jobs.run_due(worker="test")
    assert desk.inbox("ada") == []
    app.clock.set(due)
    app.jobs.run_due(worker="test")
    view = app.archives.borrowing(borrowing)
    assert (view.status, view.reminded_at, view.overdue_at) == ("approved", due - timedelta(days=1), due)
    assert desk.inbox("ada") == ["chase_return"]
    assert desk.ready(borrowing) == ["chase_return", "return_archive"]
    with pytest.raises(Forbidden, match="expired at"):
        app.archives.read(number, "sam")

    desk.complete(borrowing, "chase_return", "ada", {"borrower_contacted": True,
                                                      "chase_note": "returns it tomorrow morning"})
    assert desk.status(borrowing) == "running"
    app.clock.advance(timedelta(days=1))
    desk.complete(borrowing, "return_archive", "sam", {"returned": True, "return_note": "one day late"})
    assert desk.status(borrowing) == "completed"
    assert app.archives.borrowing(borrowing).returned_at == app.clock.now()
    assert app.history.verify(borrowing).ok
