"""R-3.1 the named cover: when approved leave begins, each task its requester held goes to the colleague they
named to cover their work, when that colleague may hold it (active, in the task's group, not away themselves);
otherwise back to its group as before. One input event per task in its own case, which replay repeats; the
cover reads in their inbox whom they cover for and what was handed to them. Leave ended early gives the
requester back what the cover still holds untouched."""
from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from tests.acceptance.leave_desk import LeaveDesk, beijing_midnight, leave_desk  # noqa: F401  (fixture)

MONDAY, TUESDAY, FRIDAY = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 6)


def payload(event: Any) -> dict[str, Any]:
    value = event.payload
    return json.loads(value) if isinstance(value, str) else value


def test_r_3_1_the_named_cover_is_given_the_tasks_when_the_leave_begins(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    price_list, manual = desk.draft_held_by("alice"), desk.draft_held_by("alice")
    leave = desk.request("alice", TUESDAY, FRIDAY, cover="bob")
    desk.decide(leave, "cleo")
    assert desk.inbox("bob") == [] and desk.app.handover.covering("bob") == []  # not begun yet

    assert desk.run_jobs_at(beijing_midnight(TUESDAY)) == 1
    assert desk.inbox("bob") == [("draft", "bob"), ("draft", "bob")]
    assert desk.inbox("alice") == [("change_during", "alice")]
    for draft in (price_list, manual):
        [handed] = desk.events(draft.instance_id, "task_reassigned")
        assert (handed.actor, handed.task_id) == ("alice", draft.id)
        assert payload(handed) == {"from": "alice", "to": "bob", "reason": "leave", "leave_id": leave,
                                   "until": "2026-03-06"}
        assert desk.events(draft.instance_id, "task_released") == []
        assert desk.app.history.replay(draft.instance_id).verified
    [covering] = desk.app.handover.covering("bob")
    assert (covering.absence.username, covering.absence.last_day) == ("alice", FRIDAY)
    assert sorted(t.id for t in covering.tasks) == sorted([price_list.id, manual.id])

    desk.complete(price_list.instance_id, "draft", "bob", {"body": "Prices for 2026"})
    assert desk.ready(price_list.instance_id) == ["review"]
    assert [t.id for t in desk.app.handover.covering("bob")[0].tasks] == [manual.id]


def test_r_3_1_a_cover_who_may_not_hold_the_task_leaves_it_to_the_group(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("alice")
    # rita reviews; she is no clerk, so alice's draft goes back to the clerks as before.
    desk.decide(desk.request("alice", TUESDAY, FRIDAY, cover="rita"), "cleo")
    desk.run_jobs_at(beijing_midnight(TUESDAY))
    assert desk.task(draft.instance_id, "draft").assignee is None
    [released] = desk.events(draft.instance_id, "task_released")
    assert payload(released)["from"] == "alice" and desk.events(draft.instance_id, "task_reassigned") == []
    assert desk.inbox("rita") == [] and desk.app.handover.covering("rita")[0].tasks == []
    assert desk.app.history.replay(draft.instance_id).verified


def test_r_3_1_a_cover_away_themselves_leaves_the_task_to_the_group(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("alice")
    desk.decide(desk.request("bob", MONDAY, FRIDAY, leave_type="personal"), "cleo")  # bob is away all week
    desk.decide(desk.request("alice", TUESDAY, FRIDAY, cover="bob"), "cleo")
    desk.run_jobs_at(beijing_midnight(TUESDAY))
    assert desk.task(draft.instance_id, "draft").assignee is None
    assert len(desk.events(draft.instance_id, "task_released")) == 1
    # Both clerks away: the draft waits for their head.
    [unattended] = desk.app.handover.unattended({"clerk"})
    assert [t.id for t in unattended.tasks] == [draft.id]


def test_r_3_1_leave_ended_early_takes_back_what_the_cover_still_holds(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    kept, passed_on = desk.draft_held_by("alice"), desk.draft_held_by("alice")
    leave = desk.request("alice", MONDAY, FRIDAY, cover="bob")
    desk.decide(leave, "cleo")
    assert desk.inbox("bob") == [("draft", "bob"), ("draft", "bob")]
    desk.app.runtime.unclaim_task(passed_on.id, actor="bob")  # bob gives one back to the clerks
    desk.app.clock.set(desk.app.clock.now() + timedelta(hours=3))  # type: ignore[attr-defined]

    desk.complete(leave, "change_during", "alice", {"leave_change": "cancel"})
    assert desk.task(kept.instance_id, "draft").assignee == "alice"
    [back] = desk.events(kept.instance_id, "task_reassigned")[-1:]
    assert payload(back) == {"from": "bob", "to": "alice", "reason": "back from leave", "leave_id": leave}
    assert desk.task(passed_on.instance_id, "draft").assignee is None  # bob did something with it: it stays
    assert desk.app.handover.covering("bob") == []
    for draft in (kept, passed_on):
        assert desk.app.history.replay(draft.instance_id).verified
