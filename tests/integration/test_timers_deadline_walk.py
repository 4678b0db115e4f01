"""A fake clock walks every deadline of the case chain (R-2.1.1, R-2.2.3) and of an archive borrowing (R-6.4):
each timer fires at its own due time, not a minute before, and exactly once."""
from __future__ import annotations

import json
from datetime import timedelta

from engine.bootstrap import Casedesk
from engine.clock import FakeClock, isoformat
from tests.acceptance.archive_desk import ArchiveDesk
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    Case, _mail_server, _sms_server, accepted_case, desk, mailbox, sms)

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
QUESTION = {"customer_name": "韓梅梅 Han Meimei", "business_type": "general", "email": "han@example.com", "mobile": "",
            "question": "Which documents prove my address? 哪些文件可證明地址？", "answered_now": False}


def walk_deadlines(app: Casedesk, clock: FakeClock, instance_ids: set[str]) -> list[tuple[str, str, timedelta]]:
    """Move the clock to each pending job of these instances in turn, soonest first; returns
    (instance, element, due − start) per firing."""
    start = clock.now()
    fired: list[tuple[str, str, timedelta]] = []
    while True:
        pending = [j for j in app.jobs.list_jobs() if j.instance_id in instance_ids and j.status == "pending"]
        if not pending:
            return fired
        job = min(pending, key=lambda j: (j.due_at, j.id))
        if job.due_at - MINUTE > clock.now():
            clock.set(job.due_at - MINUTE)
            assert app.jobs.run_due("walker") == 0, f"{job.element} fired before {job.due_at}"
        clock.set(max(clock.now(), job.due_at))
        before = count_fired(app, job.instance_id or "", job.element)
        assert app.jobs.run_due("walker") >= 1
        firings = fired_events(app, job.instance_id or "", job.element)
        assert len(firings) == before + 1  # once, not twice
        assert firings[-1]["due"] == isoformat(job.due_at)
        fired.append((job.instance_id or "", job.element, job.due_at - start))


def fired_events(app: Casedesk, instance_id: str, element: str) -> list[dict[str, str]]:
    payloads = [json.loads(e.payload) for e in app.history.events(instance_id) if e.type == "timer_fired"]
    return [p for p in payloads if p["element"] == element]


def count_fired(app: Casedesk, instance_id: str, element: str) -> int:
    return len(fired_events(app, instance_id, element))


def test_every_deadline_of_the_case_chain_and_of_a_borrowing_fires_on_time(desk: Casedesk,
                                                                             clock: FakeClock) -> None:
    consultation = Case.open(desk)
    consultation.work("ivy", "receive_consultation", QUESTION)  # reply within 2 days
    clock.advance(HOUR)  # so the reply's deadline and the sales warning (both 2 days) fall apart
    sales = accepted_case(desk, "sales")  # sales — 3 days, warning after 2 (assignment.dmn)
    archives = ArchiveDesk.set_up(desk)
    borrowing = archives.apply("sam", archives.file("XS-20260105-0009"), days=7)
    archives.approve(borrowing)  # return within 7 days, reminded a day before

    walked = walk_deadlines(desk, clock, {consultation.id, sales.id, borrowing})

    by_instance: dict[str, list[tuple[str, timedelta]]] = {}
    for instance, element, after in walked:
        by_instance.setdefault(instance, []).append((element, after))
    assert by_instance == {
        consultation.id: [("reply_reminder_timer", timedelta(days=1) - HOUR),
                          ("reply_overdue_timer", timedelta(days=2) - HOUR)],
        sales.id: [("handling_warning_timer", timedelta(days=2)), ("handling_overdue_timer", timedelta(days=3))],
        borrowing: [("return_reminder", timedelta(days=6)), ("return_overdue", timedelta(days=7))],
    }
    # Who hears about it: the tracker, the department head, the borrower's archivist.
    assert consultation.titles("tom") == ["Chase the reply"]
    assert consultation.titles("gus") == [] and consultation.titles("gil") == ["Take up the overdue reply"]
    assert sales.titles("tom") == ["Progress warning"]
    assert sales.titles("sue") == ["Overdue escalation"]
    assert archives.inbox("ada") == ["chase_return"]
    for instance in (consultation.id, sales.id, borrowing):
        assert desk.history.verify(instance).ok


