"""Acceptance plumbing for R-3.1: the leave process deployed beside the demo document review (whose tasks
people hold when their leave begins), a small organisation, and steps taken as each person takes them.

Every action first drops the warm workflows, so each step loads its instance cold from storage
(the serializer round trip the standards ask of workflow tests). Notices go to the outbox."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from casework.leave_models import LeaveRecord
from casework.outbox import OutboxMessage
from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.runtime.service import InstanceView, TaskView

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


@dataclass
class LeaveDesk:
    app: Casedesk

    def request(self, user: str, first: date, last: date, leave_type: str = "annual",
                reason: str = "family visit 探親", cover: str = "") -> str:
        """Start a leave request and fill it in; returns the request (= instance) id."""
        self.app.runtime.warm.clear()
        started = self.app.runtime.start_instance("leave_request", {}, actor=user)
        self.complete(started.id, "request_leave", user, {
            "leave_type": leave_type, "first_day": first.isoformat(), "last_day": last.isoformat(),
            "leave_reason": reason, "cover": cover})
        return started.id

    def task(self, instance_id: str, spec: str) -> TaskView:
        tasks = [t for t in self.app.runtime.list_tasks(instance_id=instance_id) if t.task_spec == spec]
        assert len(tasks) == 1, f"expected one ready {spec}, have {[t.task_spec for t in tasks]}"
        return tasks[0]

    def ready(self, instance_id: str) -> list[str]:
        return sorted(t.task_spec for t in self.app.runtime.list_tasks(instance_id=instance_id))

    def inbox(self, user: str) -> list[tuple[str, str | None]]:
        return sorted((t.task_spec, t.assignee) for t in self.app.runtime.list_tasks(user=user))

    def complete(self, instance_id: str, spec: str, user: str, data: dict[str, Any]) -> InstanceView:
        task = self.task(instance_id, spec)
        self.app.runtime.warm.clear()
        return self.app.runtime.complete_task(task.id, data, actor=user)

    def decide(self, instance_id: str, user: str, decision: str = "approve", note: str = "") -> InstanceView:
        return self.complete(instance_id, "superior_review", user,
                             {"superior_decision": decision, "superior_note": note})

    def status(self, instance_id: str) -> str:
        self.app.runtime.warm.clear()
        return self.app.runtime.get_instance(instance_id).status

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
        assert isinstance(self.app.clock, FakeClock)
        self.app.clock.set(moment)
        return self.app.jobs.run_due(worker="test")

    def draft_held_by(self, clerk: str) -> TaskView:
        """A document review whose draft `clerk` has claimed (the demo process of the clerks' group)."""
        self.app.runtime.warm.clear()
        started = self.app.runtime.start_instance("document_review", {"title": "Price list"}, actor=clerk)
        draft = self.task(started.id, "draft")
        return self.app.runtime.claim_task(draft.id, actor=clerk)

    def events(self, instance_id: str, type_: str) -> list[Any]:
        return [e for e in self.app.history.events(instance_id) if e.type == type_]


@pytest.fixture
def leave_desk(app: Casedesk, clock: FakeClock) -> Iterator[LeaveDesk]:
    """The `app` database (flow coverage and the replay check see every instance), notices kept in the
    outbox, the HR area deployed and the people above added."""
    clock.set(MONDAY)
    desk = bootstrap(replace(app.settings, notify_transport="outbox"), clock=clock, run_migrations=False)
    desk.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "hr", PROJECT_ROOT / "forms"), "owen")
    for name, groups in PEOPLE.items():
        desk.users.add_user(name, PASSWORD, groups)
    yield LeaveDesk(desk)
    desk.close()
