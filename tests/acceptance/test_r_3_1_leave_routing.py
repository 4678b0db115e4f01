"""R-3.1 leave and task routing: while approved leave covers the engine clock, its requester is absent.

An absent person's claimed tasks go back to their group when the leave begins (an input event of each
case, which replay repeats), nobody can reassign or delegate a task to them, and a group whose members
are all absent has its open tasks shown to its head, who may take them over and work them."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from engine.errors import InvalidInput
from tests.acceptance.leave_desk import LeaveDesk, beijing_midnight, leave_desk  # noqa: F401  (fixture)

TOMORROW, FRIDAY, MONDAY = date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 2)


def test_r_3_1_claimed_task_returns_to_the_group_when_the_leave_begins(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("alice")
    leave = desk.request("alice", TOMORROW, FRIDAY)
    desk.decide(leave, "cleo")
    # Approved, not begun: alice still holds her draft (and may cancel the leave), and bob does not see it.
    assert desk.inbox("alice") == [("change_before", "alice"), ("draft", "alice")] and desk.inbox("bob") == []
    assert desk.app.handover.absence("alice") is None

    assert desk.run_jobs_at(beijing_midnight(TOMORROW) - timedelta(minutes=1)) == 0
    assert desk.inbox("alice") == [("change_before", "alice"), ("draft", "alice")]
    assert desk.run_jobs_at(beijing_midnight(TOMORROW)) == 1
    assert desk.ready(leave) == ["change_during"]
    assert desk.inbox("bob") == [("draft", None)] and desk.inbox("alice") == [("change_during", "alice")]
    assert desk.app.handover.absence("alice").last_day == FRIDAY  # type: ignore[union-attr]

    [released] = desk.events(draft.instance_id, "task_released")
    assert (released.actor, released.task_id) == ("alice", draft.id)
    payload = json.loads(released.payload) if isinstance(released.payload, str) else released.payload
    assert payload == {"from": "alice", "reason": "leave", "leave_id": leave, "until": "2026-03-06"}
    assert desk.app.history.replay(draft.instance_id).verified
    # Bob takes the draft over and finishes it; the case goes on without alice.
    desk.app.runtime.claim_task(draft.id, actor="bob")
    desk.complete(draft.instance_id, "draft", "bob", {"body": "Prices for 2026"})
    assert desk.ready(draft.instance_id) == ["review"]


def test_r_3_1_leave_approved_after_it_began_returns_the_tasks_at_once(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("alice")
    leave = desk.request("alice", MONDAY, MONDAY, leave_type="sick", reason="fever")
    assert desk.inbox("alice") == [("draft", "alice")]
    desk.decide(leave, "cleo")
    assert desk.ready(leave) == ["change_during"]
    # Away, alice is offered no clerk's task, only the end of her leave; bob is offered the draft.
    assert desk.inbox("alice") == [("change_during", "alice")] and desk.inbox("bob") == [("draft", None)]
    assert len(desk.events(draft.instance_id, "task_released")) == 1
    # The leave over (Tuesday 00:00 Beijing), alice claims again as anyone does.
    desk.app.clock.set(beijing_midnight(TOMORROW))  # type: ignore[attr-defined]
    assert desk.app.handover.absence("alice") is None
    assert desk.app.runtime.claim_task(draft.id, actor="alice").assignee == "alice"


def test_r_3_1_an_absent_person_cannot_be_given_a_task(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    leave = desk.request("alice", MONDAY, FRIDAY)
    desk.decide(leave, "cleo")
    draft = desk.draft_held_by("bob")
    assert desk.app.handover.members("clerk") == ["bob"]
    with pytest.raises(InvalidInput, match="alice is on leave until 2026-03-06") as refused:
        desk.app.handover.delegate(draft.id, "alice", actor="bob")
    assert refused.value.field_errors == {"to": ["on leave until 2026-03-06"]}
    with pytest.raises(InvalidInput, match="alice is on leave until 2026-03-06"):
        desk.app.handover.reassign(draft.id, "alice", actor="cleo")
    assert desk.task(draft.instance_id, "draft").assignee == "bob"

    desk.app.clock.set(beijing_midnight(date(2026, 3, 7)))  # type: ignore[attr-defined]
    assert desk.app.handover.members("clerk") == ["alice", "bob"]
    assert desk.app.handover.delegate(draft.id, "alice", actor="bob").assignee == "alice"


def test_r_3_1_a_group_all_absent_is_shown_to_its_head_who_works_its_tasks(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("alice")
    first = desk.request("alice", MONDAY, FRIDAY)
    desk.decide(first, "cleo")
    # One clerk is still at work: the group is not the head's, and the head cannot take its task.
    assert desk.app.handover.unattended({"clerk"}) == []
    with pytest.raises(InvalidInput, match="cleo is not in group 'clerk'"):
        desk.app.handover.reassign(draft.id, "cleo", actor="cleo")

    second = desk.request("bob", MONDAY, TOMORROW, leave_type="personal")
    desk.decide(second, "cleo")
    [unattended] = desk.app.handover.unattended({"clerk", "reviewer"})
    assert unattended.group == "clerk"
    assert [(a.username, a.last_day) for a in unattended.absences] == [("alice", FRIDAY), ("bob", TOMORROW)]
    assert [(t.id, t.assignee) for t in unattended.tasks] == [(draft.id, None)]

    desk.app.handover.reassign(draft.id, "cleo", actor="cleo")
    assert desk.inbox("cleo") == [("draft", "cleo")]
    desk.complete(draft.instance_id, "draft", "cleo", {"body": "Prices for 2026"})
    assert desk.ready(draft.instance_id) == ["review"]

    # Bob is back on Wednesday: the group has a member at work again.
    desk.app.clock.set(beijing_midnight(date(2026, 3, 4)))  # type: ignore[attr-defined]
    assert desk.app.handover.unattended({"clerk"}) == []


def test_r_3_1_a_task_the_process_named_for_the_absent_person_stays_theirs(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("alice")
    refused = desk.request("alice", date(2026, 3, 16), date(2026, 3, 20))
    desk.decide(refused, "cleo", "reject", "the audit is that week")
    assert desk.task(refused, "amend_or_withdraw").assignee == "alice"  # routed to the requester by name

    desk.decide(desk.request("alice", MONDAY, FRIDAY), "cleo")
    assert desk.task(draft.instance_id, "draft").assignee is None  # claimed: back to the clerks
    assert desk.task(refused, "amend_or_withdraw").assignee == "alice"  # only she may amend her request
    assert desk.events(refused, "task_released") == []
    assert ("amend_or_withdraw", "alice") not in desk.inbox("bob")
