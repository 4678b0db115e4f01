"""Acceptance plumbing for R-3.1: the leave process deployed beside the demo document review (whose tasks
people hold when their leave begins), a small organisation, and steps taken as each person takes them.

Every action first drops the warm workflows, so each step loads its instance cold from storage
(the serializer round trip the standards ask of workflow tests). Notices go to the outbox."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from casework.leave_models import LeaveRecord
from casework.outbox import OutboxMessage
from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.runtime.service import InstanceView, TaskView
from tests.support.steps import InstanceDesk, deploy_area, run_due_at

PEOPLE = {
    "sam": ["staff", "sales"],
    "sid": ["staff", "sales"],
    "sue": ["staff", "sales_head"],
    "leo": ["staff", "leader"],
    "gwen": ["staff", "general_manager"],
    "ivy": ["staff", "intake"],
    "alice": ["staff", "clerk"],
    "bob": ["staff", "clerk"],
    "cleo": ["staff", "clerk_head"],
    "rita": ["staff", "reviewer"],
}
PASSWORD = "leave-pass-2026"
# Monday 2 March 2026, 10:00 in Beijing (the company's time zone): the day requests are made.
MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


def beijing_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) - timedelta(hours=8)


class LeaveDesk(InstanceDesk):
    def request(self, user: str, first: date, last: date, leave_type: str = "annual",
                reason: str = "family visit 探親", cover: str = "") -> str:
        """Start a leave request and fill it in; returns the request (= instance) id."""
        leave = self.start("leave_request", user)
        self.complete(leave, "request_leave", user, {
            "leave_type": leave_type, "first_day": first.isoformat(), "last_day": last.isoformat(),
            "leave_reason": reason, "cover": cover})
        return leave

    def inbox(self, user: str) -> list[tuple[str, str | None]]:
        return sorted((t.task_spec, t.assignee) for t in self.app.runtime.list_tasks(user=user))

    def decide(self, instance_id: str, user: str, decision: str = "approve", note: str = "") -> InstanceView:
        return self.complete(instance_id, "superior_review", user,
                             {"superior_decision": decision, "superior_note": note})

    def record(self, leave_id: str) -> LeaveRecord:
        with self.app.db.unit_of_work(write=False) as session:
            found = session.get(LeaveRecord, leave_id)
            assert found is not None
            return found

    def notices(self, recipient: str) -> list[OutboxMessage]:
        with self.app.db.unit_of_work(write=False) as session:
            return list(session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                                        .order_by(OutboxMessage.id)))

    def run_jobs_at(self, moment: datetime) -> int:
        return run_due_at(self.app, moment)

    def draft_held_by(self, clerk: str) -> TaskView:
        """A document review whose draft `clerk` has claimed (the demo process of the clerks' group)."""
        review = self.start("document_review", clerk, {"title": "Price list"})
        draft = self.task(review, "draft")
        return self.app.runtime.claim_task(draft.id, actor=clerk)

    def events(self, instance_id: str, type_: str) -> list[Any]:
        return [e for e in self.app.history.events(instance_id) if e.type == type_]


@pytest.fixture
def leave_desk(app: Casedesk, clock: FakeClock) -> Iterator[LeaveDesk]:
    """The `app` database (flow coverage and the replay check see every instance), notices kept in the
    outbox, the HR area deployed and the people above added."""
    clock.set(MONDAY)
    desk = bootstrap(replace(app.settings, notify_transport="outbox"), clock=clock, run_migrations=False)
    deploy_area(desk, "hr")
    for name, groups in PEOPLE.items():
        desk.users.add_user(name, PASSWORD, groups)
    yield LeaveDesk(desk)
    desk.close()
