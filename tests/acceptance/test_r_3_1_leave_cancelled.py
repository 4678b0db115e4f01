"""R-3.1 approved leave cancelled or shortened: the absence ends with it.

Until approved leave is over, its requester has the task "Cancel or shorten the leave". Cancelled before it
begins, nobody's work moves; cancelled or shortened to end while it is under way, the requester is back at
once: they claim again, and the tasks that went back to their groups when it began, and that nobody took
since, are theirs again (an input event of each case, which replay repeats). Shortened to a later day,
the absence ends after that day. Each change is the requester's input event in the leave request."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from engine.errors import CasedeskError
from tests.acceptance.leave_desk import LeaveDesk, beijing_midnight, leave_desk  # noqa: F401  (fixture)

MONDAY, TUESDAY, WEDNESDAY, FRIDAY = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 6)


def payload(event: object) -> dict[str, object]:
    value = getattr(event, "payload")
    return json.loads(value) if isinstance(value, str) else value


def test_r_3_1_leave_cancelled_before_it_begins_never_makes_anyone_absent(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("alice")
    leave = desk.request("alice", TUESDAY, FRIDAY)
    desk.decide(leave, "cleo")
    assert desk.task(leave, "change_before").assignee == "alice"
    desk.complete(leave, "change_before", "alice", {"leave_change": "cancel"})
    assert desk.status(leave) == "completed" and desk.record(leave).status == "cancelled"
    [changed] = desk.events(leave, "task_submitted")[-1:]
    assert (changed.actor, payload(changed)["data"]) == ("alice", {"leave_change": "cancel"})

    assert desk.run_jobs_at(beijing_midnight(TUESDAY)) == 0  # the first day comes: nothing happens
    assert desk.app.handover.absence("alice") is None
    assert desk.inbox("alice") == [("draft", "alice")] and desk.events(draft.instance_id, "task_released") == []
    assert desk.app.handover.members("clerk") == ["alice", "bob"]
    # The days are free again: she may ask for them anew.
    desk.request("alice", WEDNESDAY, FRIDAY)
    assert desk.app.history.replay(leave).verified


def test_r_3_1_leave_cancelled_while_under_way_ends_the_absence_and_gives_back_what_nobody_took(
        leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    price_list = desk.draft_held_by("alice")
    manual = desk.draft_held_by("alice")
    leave = desk.request("alice", MONDAY, FRIDAY, leave_type="sick", reason="fever")
    desk.decide(leave, "cleo")
    assert desk.inbox("alice") == [("change_during", "alice")]  # both drafts went back to the clerks
    desk.app.runtime.claim_task(manual.id, actor="bob")  # bob takes one over
    desk.app.clock.set(desk.app.clock.now() + timedelta(days=1))  # type: ignore[attr-defined]
    unclaimed = desk.app.runtime.start_instance("document_review", {"title": "Tariffs"}, actor="bob")

    desk.complete(leave, "change_during", "alice", {"leave_change": "cancel"})
    record = desk.record(leave)
    assert (record.status, record.last_day) == ("ended", TUESDAY)  # away Monday and part of Tuesday
    assert desk.status(leave) == "completed"
    assert desk.app.handover.absence("alice") is None
    # What nobody took is hers again; what bob took stays his.
    assert desk.task(price_list.instance_id, "draft").assignee == "alice"
    assert desk.task(manual.instance_id, "draft").assignee == "bob"
    [given_back] = desk.events(price_list.instance_id, "task_reassigned")
    assert (given_back.actor, payload(given_back)) == ("alice", {"from": "", "to": "alice",
                                                                 "reason": "back from leave", "leave_id": leave})
    assert desk.events(manual.instance_id, "task_reassigned") == []
    # Back at work: she is offered her group's tasks and claims one.
    tariffs = desk.task(unclaimed.id, "draft")
    assert tariffs.id in [t.id for t in desk.app.runtime.list_tasks(user="alice")]
    assert desk.app.runtime.claim_task(tariffs.id, actor="alice").assignee == "alice"
    desk.complete(price_list.instance_id, "draft", "alice", {"body": "Prices for 2026"})
    for case in (leave, price_list.instance_id, manual.instance_id):
        assert desk.app.history.replay(case).verified


def test_r_3_1_leave_shortened_before_it_begins_ends_after_the_new_last_day(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("alice")
    leave = desk.request("alice", TUESDAY, FRIDAY)
    desk.decide(leave, "cleo")
    with pytest.raises(CasedeskError, match="a shorter leave ends on a day from 2026-03-03 to 2026-03-05"):
        desk.complete(leave, "change_before", "alice", {"leave_change": "shorten", "new_last_day": "2026-03-06"})
    assert desk.record(leave).last_day == FRIDAY and desk.ready(leave) == ["change_before"]

    desk.complete(leave, "change_before", "alice", {"leave_change": "shorten", "new_last_day": "2026-03-03"})
    record = desk.record(leave)
    assert (record.status, record.last_day, record.ends_at) == ("approved", TUESDAY, beijing_midnight(WEDNESDAY))
    assert desk.ready(leave) == ["change_before"]  # still to come: she may change it again

    assert desk.run_jobs_at(beijing_midnight(TUESDAY)) == 1
    assert desk.task(draft.instance_id, "draft").assignee is None
    assert desk.app.handover.absence("alice").last_day == TUESDAY  # type: ignore[union-attr]
    assert desk.ready(leave) == ["change_during"]
    assert desk.run_jobs_at(beijing_midnight(WEDNESDAY)) == 1  # Wednesday: back at work, not on Saturday
    assert desk.status(leave) == "completed" and desk.app.handover.absence("alice") is None
    assert desk.app.runtime.claim_task(draft.id, actor="alice").assignee == "alice"
    assert desk.app.history.replay(leave).verified


def test_r_3_1_leave_shortened_while_under_way_ends_early(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    draft = desk.draft_held_by("alice")
    leave = desk.request("alice", MONDAY, FRIDAY)
    desk.decide(leave, "cleo")
    desk.complete(leave, "change_during", "alice", {"leave_change": "shorten", "new_last_day": "2026-03-04"})
    assert desk.ready(leave) == ["change_during"]
    assert desk.app.handover.absence("alice").last_day == WEDNESDAY  # type: ignore[union-attr]
    assert desk.task(draft.instance_id, "draft").assignee is None  # still away: nothing comes back yet

    # On Wednesday she ends it the day before: it is over at once, and her draft is hers again.
    desk.app.clock.set(beijing_midnight(WEDNESDAY) + timedelta(hours=9))  # type: ignore[attr-defined]
    desk.complete(leave, "change_during", "alice", {"leave_change": "shorten", "new_last_day": "2026-03-03"})
    assert (desk.record(leave).status, desk.status(leave)) == ("ended", "completed")
    assert desk.app.handover.absence("alice") is None
    assert desk.task(draft.instance_id, "draft").assignee == "alice"
    assert desk.ready(leave) == []  # nothing left to change
    assert desk.app.history.replay(leave).verified and desk.app.history.replay(draft.instance_id).verified
