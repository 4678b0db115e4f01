"""The engine asks an injected absence policy who is away (R-3.1), and knows nothing of leave itself:
with a fake policy, an absent person is offered no group task, cannot claim one or be handed one,
still works what is named theirs, and is back at work the moment the policy says so."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Iterator

import pytest

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.errors import Conflict, InvalidInput
from engine.runtime.absence import Absence, OnLeave
from tests.conftest import DEMO_USERS, PASSWORD


@dataclass
class FakeAbsences:
    """Who is away until when, set by the test: no leave register, no database."""

    away_until: dict[str, datetime] = field(default_factory=dict)

    def absent(self, conn: object, now: datetime, usernames: Iterable[str] | None = None) -> dict[str, Absence]:
        wanted = set(self.away_until) if usernames is None else set(usernames)
        return {name: Absence(name, "fake-leave", "annual", now.date(), (until - timedelta(days=1)).date(), until)
                for name, until in self.away_until.items() if name in wanted and now < until}

    def absent_condition(self, username: object, now: object) -> None:
        return None  # no SQL: the engine asks `absent`


@pytest.fixture
def away(database_url: str, clock: FakeClock) -> Iterator[tuple[Casedesk, FakeAbsences]]:
    absences = FakeAbsences()
    casedesk = bootstrap(Settings(database_url=database_url), clock=clock, absences=absences)
    casedesk.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms"), "owen")
    for name, groups in DEMO_USERS.items():
        casedesk.users.add_user(name, PASSWORD, groups)
    yield casedesk, absences
    casedesk.close()


def test_r_3_1_an_absent_person_is_offered_no_group_task_and_cannot_claim_one(
        away: tuple[Casedesk, FakeAbsences], clock: FakeClock) -> None:
    app, absences = away
    started = app.runtime.start_instance("document_review", {"title": "Travel"}, actor="alice")
    [draft] = app.runtime.list_tasks(instance_id=started.id)
    absences.away_until["alice"] = clock.now() + timedelta(days=3)
    until = (clock.now() + timedelta(days=2)).date().isoformat()

    assert app.runtime.list_tasks(user="alice") == []
    with pytest.raises(Conflict, match=f"alice is on leave until {until}"):
        app.runtime.claim_task(draft.id, actor="alice")
    app.runtime.warm.clear()
    assert app.runtime.list_tasks(instance_id=started.id)[0].assignee is None
    assert "task_claimed" not in [e.type for e in app.history.events(started.id)]
    with pytest.raises(InvalidInput, match=f"alice is on leave until {until}"):
        app.handover.reassign(draft.id, "alice", actor="root")
    assert app.handover.members("clerk") == ["bob"]

    clock.advance(timedelta(days=3))  # the policy says she is back: she claims as anyone does
    assert [t.id for t in app.runtime.list_tasks(user="alice")] == [draft.id]
    assert app.runtime.claim_task(draft.id, actor="alice").assignee == "alice"
    assert app.history.replay(started.id).verified


def test_r_3_1_an_absent_person_keeps_working_a_task_already_theirs(
        away: tuple[Casedesk, FakeAbsences], clock: FakeClock) -> None:
    app, absences = away
    started = app.runtime.start_instance("document_review", {"title": "Travel"}, actor="alice")
    [draft] = app.runtime.list_tasks(instance_id=started.id)
    app.runtime.claim_task(draft.id, actor="alice")
    absences.away_until["alice"] = clock.now() + timedelta(days=1)
    assert [t.id for t in app.runtime.list_tasks(user="alice")] == [draft.id]
    assert app.runtime.claim_task(draft.id, actor="alice").assignee == "alice"  # already hers: no change
    app.runtime.warm.clear()
    app.runtime.complete_task(draft.id, {"body": "written before leaving"}, actor="alice")
    assert app.history.replay(started.id).verified


def test_r_3_1_a_group_all_away_is_its_heads(away: tuple[Casedesk, FakeAbsences], clock: FakeClock) -> None:
    app, absences = away
    app.users.add_user("cleo", PASSWORD, ["clerk_head"])
    clerks = [name for name, groups in DEMO_USERS.items() if "clerk" in groups]
    assert app.handover.unattended({"clerk"}) == []
    for name in clerks:
        absences.away_until[name] = clock.now() + timedelta(hours=5)
    [unattended] = app.handover.unattended({"clerk"})
    assert [a.username for a in unattended.absences] == sorted(clerks)
    clock.advance(timedelta(hours=5))
    assert app.handover.unattended({"clerk"}) == []


def test_r_3_1_an_absent_person_cannot_complete_a_group_task_nobody_holds(
        away: tuple[Casedesk, FakeAbsences], clock: FakeClock) -> None:
    app, absences = away
    started = app.runtime.start_instance("document_review", {"title": "Travel"}, actor="alice")
    [draft] = app.runtime.list_tasks(instance_id=started.id)
    absences.away_until["alice"] = clock.now() + timedelta(days=2)
    until = (clock.now() + timedelta(days=1)).date().isoformat()

    with pytest.raises(OnLeave, match=f"alice is on leave until {until}") as refused:
        app.runtime.complete_task(draft.id, {"body": "typed while away"}, actor="alice")
    assert refused.value.absence.last_day.isoformat() == until
    app.runtime.warm.clear()
    assert [(t.id, t.assignee) for t in app.runtime.list_tasks(instance_id=started.id)] == [(draft.id, None)]
    assert "task_submitted" not in [e.type for e in app.history.events(started.id)]

    app.runtime.complete_task(draft.id, {"body": "written by a colleague"}, actor="bob")
    assert [t.task_spec for t in app.runtime.list_tasks(instance_id=started.id)] == ["review"]
    assert app.history.replay(started.id).verified
