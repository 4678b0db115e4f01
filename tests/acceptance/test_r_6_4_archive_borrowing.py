"""R-6.4 Access and borrowing: nobody reads an archive without an approved, unexpired borrowing.

Tried directly against the engine (`app.archives.read`), with the borrowing process driven as its
users drive it: application by a staff member, approval by the archivist and, for finance and
procurement archives, by the owning department's head; return revokes the access."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.bootstrap import Casedesk
from engine.errors import Forbidden, HandlerFailed, InvalidInput, NotFound
from tests.acceptance.archive_desk import ArchiveDesk

MATERIALS = ["application form", "ID copy"]


@pytest.fixture
def desk(app: Casedesk) -> ArchiveDesk:
    return ArchiveDesk.set_up(app)


def test_r_6_4_archive_cannot_be_read_without_an_approved_borrowing(app: Casedesk, desk: ArchiveDesk) -> None:
    number = desk.file("XS-20260105-0001")
    with pytest.raises(Forbidden, match=f"sam has no borrowing of archive {number}"):
        app.archives.read(number, "sam")

    borrowing = desk.apply("sam", number)
    assert desk.ready(borrowing) == ["archivist_review"]
    with pytest.raises(Forbidden, match=f"borrowing {borrowing} is still waiting for approval"):
        app.archives.read(number, "sam")

    app.clock.advance(timedelta(hours=1))
    desk.approve(borrowing)
    content = app.archives.read(number, "sam")
    assert (content.number, content.borrowing_id) == (number, borrowing)
    assert [item.name for item in content.items] == MATERIALS

    # The approval is the borrower's alone; the archivist and the auditor borrow like anyone else.
    for other in ("cara", "ada", "audrey"):
        with pytest.raises(Forbidden, match=f"{other} has no borrowing of archive {number}"):
            app.archives.read(number, other)

    log = [(a.username, a.outcome, a.borrowing_id, a.at) for a in app.archives.accesses(number, "audrey")]
    start, later = app.clock.now() - timedelta(hours=1), app.clock.now()
    assert log == [
        ("sam", "refused", None, start),
        ("sam", "refused", borrowing, start),
        ("sam", "granted", borrowing, later),
        ("cara", "refused", None, later),
        ("ada", "refused", None, later),
        ("audrey", "refused", None, later),
    ]
    assert app.history.verify(borrowing).ok


def test_r_6_4_the_borrower_is_the_applicant_and_only_they_return_it(app: Casedesk, desk: ArchiveDesk) -> None:
    number = desk.file("XS-20260105-0001")
    borrowing = desk.apply("sam", number)
    desk.approve(borrowing)
    assert app.archives.borrowing(borrowing).borrower == "sam"
    assert desk.inbox("sam") == ["return_archive"]
    assert desk.inbox("cara") == []
    returning = desk.task(borrowing, "return_archive")
    assert (returning.assignee, returning.due_at) == ("sam", app.clock.now() + timedelta(days=7))
    with pytest.raises(Forbidden):
        app.runtime.complete_task(returning.id, {"returned": True}, actor="cara")


def test_r_6_4_rejected_application_gives_no_access(app: Casedesk, desk: ArchiveDesk) -> None:
    number = desk.file("XS-20260105-0001")
    borrowing = desk.apply("sam", number)
    with pytest.raises(InvalidInput) as refused:
        desk.complete(borrowing, "archivist_review", "ada", {"archivist_decision": "reject"})
    assert "archivist_note" in refused.value.field_errors
    assert desk.ready(borrowing) == ["archivist_review"]

    desk.complete(borrowing, "archivist_review", "ada",
                  {"archivist_decision": "reject", "archivist_note": "purpose does not need the originals"})
    assert desk.status(borrowing) == "completed"
    assert app.archives.borrowing(borrowing).status == "rejected"
    with pytest.raises(Forbidden, match=f"borrowing {borrowing} was rejected"):
        app.archives.read(number, "sam")


def test_r_6_4_restricted_class_needs_the_owning_department_head_too(app: Casedesk, desk: ArchiveDesk) -> None:
    number = desk.file("CW-20260105-0001", "finance")
    borrowing = desk.apply("cara", number)
    desk.approve(borrowing)

    head_task = desk.task(borrowing, "head_review")
    assert head_task.candidate_group == "finance_head"
    assert desk.inbox("fiona") == ["head_review"] and desk.inbox("paul") == []
    with pytest.raises(Forbidden, match="paul is not in group 'finance_head'"):
        app.runtime.complete_task(head_task.id, {"head_decision": "approve"}, actor="paul")
    with pytest.raises(Forbidden, match="still waiting for approval"):
        app.archives.read(number, "cara")

    desk.complete(borrowing, "head_review", "fiona", {"head_decision": "approve"})
    assert desk.read_items(number, "cara") == MATERIALS
    assert app.archives.borrowing(borrowing).status == "approved"


def test_r_6_4_department_head_may_reject_a_restricted_borrowing(app: Casedesk, desk: ArchiveDesk) -> None:
    number = desk.file("CG-20260105-0001", "procurement")
    borrowing = desk.apply("sam", number)
    desk.approve(borrowing)
    assert desk.task(borrowing, "head_review").candidate_group == "procurement_head"
    desk.complete(borrowing, "head_review", "paul",
                  {"head_decision": "reject", "head_note": "supplier prices are confidential"})
    assert desk.status(borrowing) == "completed"
    with pytest.raises(Forbidden, match="was rejected"):
        app.archives.read(number, "sam")


def test_r_6_4_access_ends_at_the_due_date(app: Casedesk, desk: ArchiveDesk) -> None:
    number = desk.file("XS-20260105-0001")
    borrowing = desk.apply("sam", number, days=3)
    desk.approve(borrowing)
    due = app.archives.borrowing(borrowing).expires_at
    assert due == app.clock.now() + timedelta(days=3)

    app.clock.advance(timedelta(days=3) - timedelta(seconds=1))
    assert desk.read_items(number, "sam") == MATERIALS
    app.clock.advance(timedelta(seconds=1))
    with pytest.raises(Forbidden, match=f"borrowing {borrowing} expired at"):
        app.archives.read(number, "sam")


def test_r_6_4_returned_archive_is_no_longer_readable(app: Casedesk, desk: ArchiveDesk) -> None:
    number = desk.file("XS-20260105-0001")
    borrowing = desk.apply("sam", number)
    desk.approve(borrowing)
    assert desk.read_items(number, "sam") == MATERIALS

    with pytest.raises(InvalidInput) as refused:
        desk.complete(borrowing, "return_archive", "sam", {"returned": False})
    assert "returned" in refused.value.field_errors
    app.clock.advance(timedelta(days=2))
    desk.complete(borrowing, "return_archive", "sam", {"returned": True})
    assert desk.status(borrowing) == "completed"
    view = app.archives.borrowing(borrowing)
    assert (view.status, view.returned_at) == ("returned", app.clock.now())
    with pytest.raises(Forbidden, match="ended when the archive was returned"):
        app.archives.read(number, "sam")


def test_r_6_4_application_for_a_missing_archive_is_refused_and_changes_nothing(
    app: Casedesk, desk: ArchiveDesk
) -> None:
    started = app.runtime.start_instance("archive_borrowing", {}, actor="sam")
    apply_task = desk.task(started.id, "apply")
    before = app.runtime.get_instance(started.id).events
    with pytest.raises(HandlerFailed, match="no archive DA-XS-2026-000099"):
        app.runtime.complete_task(apply_task.id, {"archive_number": "DA-XS-2026-000099", "purpose": "x",
                                                  "days": 5}, actor="sam")
    assert app.runtime.get_instance(started.id).events == before
    assert desk.ready(started.id) == ["apply"]
    with pytest.raises(NotFound):
        app.archives.borrowing(started.id)


def test_r_6_4_unknown_archive_numbers_are_logged_too(app: Casedesk, desk: ArchiveDesk) -> None:
    with pytest.raises(NotFound, match="no archive DA-XS-2026-000042"):
        app.archives.read("DA-XS-2026-000042", "sam")
    [attempt] = app.archives.accesses("DA-XS-2026-000042", "ada")
    assert (attempt.username, attempt.outcome) == ("sam", "refused")
