"""R-3.1 Working hours and leave: leave is requested in advance and approved by the superior.

The leave process driven as its users drive it: the requester fills the request, the head of their
department (a leader for a head, or for a group without a head) approves or rejects it, a rejected
request goes back to the requester to amend or withdraw, and the requester is told the decision."""
from __future__ import annotations

from datetime import date

import pytest

from engine.errors import Forbidden, HandlerFailed, InvalidInput
from tests.acceptance.leave_desk import LeaveDesk, beijing_midnight, leave_desk  # noqa: F401  (fixture)

MONDAY, NEXT_MONDAY, NEXT_FRIDAY = date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 13)


def test_r_3_1_the_head_of_the_department_approves_and_the_requester_is_told(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    leave = desk.request("sam", NEXT_MONDAY, NEXT_FRIDAY, cover="sid")
    review = desk.task(leave, "superior_review")
    assert review.candidate_group == "sales_head"
    assert desk.inbox("sue") == [("superior_review", None)]
    assert desk.inbox("sid") == [] and desk.inbox("sam") == []
    with pytest.raises(Forbidden, match="sam is not in group 'sales_head'"):
        desk.app.runtime.complete_task(review.id, {"superior_decision": "approve", "superior_note": ""}, actor="sam")
    assert desk.record(leave).status == "requested"

    desk.decide(leave, "sue")
    record = desk.record(leave)
    assert (record.status, record.requester, record.superior_group, record.cover) == ("approved", "sam",
                                                                                      "sales_head", "sid")
    assert (record.starts_at, record.ends_at) == (beijing_midnight(NEXT_MONDAY), beijing_midnight(date(2026, 3, 14)))
    [notice] = desk.notices(f"sam@{desk.app.settings.staff_mail_domain}")
    assert "approved" in notice.subject and "2026-03-09 to 2026-03-13" in notice.message
    # Approved ahead of time: the request waits for the first day (its timer), the requester able to cancel
    # or shorten it until then and while it lasts; it ends the day after the last day.
    assert desk.status(leave) == "running" and desk.ready(leave) == ["change_before"]
    assert desk.run_jobs_at(beijing_midnight(NEXT_MONDAY)) == 1
    assert desk.ready(leave) == ["change_during"] and desk.task(leave, "change_during").assignee == "sam"
    assert desk.run_jobs_at(beijing_midnight(date(2026, 3, 14))) == 1
    assert desk.status(leave) == "completed"
    assert desk.app.history.verify(leave).ok


def test_r_3_1_a_head_asks_a_leader_and_staff_without_a_head_too(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    heads = desk.request("sue", NEXT_MONDAY, NEXT_MONDAY, leave_type="personal")
    intake = desk.request("ivy", NEXT_MONDAY, NEXT_FRIDAY, leave_type="sick")
    assert desk.task(heads, "superior_review").candidate_group == "leader"
    assert desk.task(intake, "superior_review").candidate_group == "leader"
    assert desk.inbox("leo") == [("superior_review", None), ("superior_review", None)]
    desk.decide(heads, "leo")
    assert desk.record(heads).status == "approved"


def test_r_3_1_nobody_approves_their_own_leave_a_leader_asks_the_general_manager(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    leaders = desk.request("leo", NEXT_MONDAY, NEXT_FRIDAY)
    review = desk.task(leaders, "superior_review")
    assert review.candidate_group == "general_manager"
    assert desk.inbox("leo") == [] and desk.inbox("gwen") == [("superior_review", None)]
    with pytest.raises(Forbidden, match="leo is not in group 'general_manager'"):
        desk.app.runtime.claim_task(review.id, actor="leo")
    with pytest.raises(Forbidden, match="leo is not in group 'general_manager'"):
        desk.app.runtime.complete_task(review.id, {"superior_decision": "approve", "superior_note": ""}, actor="leo")
    assert desk.record(leaders).status == "requested"
    desk.decide(leaders, "gwen")
    assert (desk.record(leaders).status, desk.record(leaders).superior_group) == ("approved", "general_manager")
    assert desk.app.history.replay(leaders).verified

    # A head who also sits with the leaders climbs past both; a department whose head group is empty, to a leader.
    desk.app.users.add_user("hal", "leave-pass-2026", ["staff", "sales_head", "leader"])
    assert desk.task(desk.request("hal", NEXT_MONDAY, NEXT_MONDAY), "superior_review").candidate_group == \
        "general_manager"
    desk.app.users.add_user("pia", "leave-pass-2026", ["staff", "procurement"])
    desk.app.users.add_user("ex", "leave-pass-2026", ["procurement_head"])
    desk.app.users.set_active("ex", False)  # the head left the company
    assert desk.task(desk.request("pia", NEXT_MONDAY, NEXT_MONDAY), "superior_review").candidate_group == "leader"


def test_r_3_1_with_nobody_above_to_approve_no_request_is_made(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    with pytest.raises(HandlerFailed, match=r"nobody above gwen \(general_manager\) approves leave"):
        desk.request("gwen", NEXT_MONDAY, NEXT_FRIDAY)
    desk.app.users.set_active("gwen", False)
    with pytest.raises(HandlerFailed, match="nobody active is in general_manager; an administrator adds"):
        desk.request("leo", NEXT_MONDAY, NEXT_FRIDAY)
    assert desk.app.runtime.list_instances(process_key="leave_request") == []


def test_r_3_1_rejected_request_is_amended_and_approved(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    leave = desk.request("sam", NEXT_MONDAY, NEXT_FRIDAY)
    with pytest.raises(InvalidInput) as refused:
        desk.decide(leave, "sue", "reject")
    assert "superior_note" in refused.value.field_errors
    desk.decide(leave, "sue", "reject", "the trade fair is that week; take the week after")
    assert desk.record(leave).status == "rejected"
    [notice] = desk.notices(f"sam@{desk.app.settings.staff_mail_domain}")
    assert "not approved" in notice.subject and "the trade fair is that week" in notice.message

    amend = desk.task(leave, "amend_or_withdraw")
    assert amend.assignee == "sam" and desk.inbox("sid") == []
    desk.complete(leave, "amend_or_withdraw", "sam", {"requester_choice": "amend"})
    again = desk.task(leave, "request_leave")
    assert again.assignee == "sam"
    desk.complete(leave, "request_leave", "sam", {"leave_type": "annual", "first_day": "2026-03-16",
                                                  "last_day": "2026-03-20", "leave_reason": "family visit",
                                                  "cover": ""})
    assert desk.record(leave).status == "requested"
    desk.decide(leave, "sue")
    record = desk.record(leave)
    assert (record.status, record.first_day, record.last_day) == ("approved", date(2026, 3, 16), date(2026, 3, 20))
    assert len(desk.notices(f"sam@{desk.app.settings.staff_mail_domain}")) == 2


def test_r_3_1_rejected_request_may_be_withdrawn(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    leave = desk.request("sam", NEXT_MONDAY, NEXT_FRIDAY)
    desk.decide(leave, "sue", "reject", "too many people away")
    desk.complete(leave, "amend_or_withdraw", "sam", {"requester_choice": "withdraw"})
    assert desk.status(leave) == "completed"
    assert desk.record(leave).status == "withdrawn"
    assert desk.app.handover.absence("sam") is None


def test_r_3_1_leave_is_requested_in_advance(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    with pytest.raises(HandlerFailed, match="requested in advance"):
        desk.request("sam", date(2026, 2, 27), MONDAY)
    with pytest.raises(HandlerFailed, match="no active user 'nobody'"):
        desk.request("sam", NEXT_MONDAY, NEXT_FRIDAY, cover="nobody")
    with pytest.raises(HandlerFailed, match="last day is before the first day"):
        desk.request("sam", NEXT_FRIDAY, NEXT_MONDAY)
    desk.request("sam", NEXT_MONDAY, NEXT_FRIDAY)
    with pytest.raises(HandlerFailed, match="already asked for leave from 2026-03-09 to 2026-03-13"):
        desk.request("sam", NEXT_FRIDAY, date(2026, 3, 16))


def test_r_3_1_the_requester_is_told_in_their_language_at_their_address(leave_desk: LeaveDesk) -> None:
    desk = leave_desk
    desk.app.digest.save_setting("sam", True, "sam.wang@example.com", "zh-Hant")
    leave = desk.request("sam", NEXT_MONDAY, NEXT_FRIDAY, leave_type="marriage")
    desk.decide(leave, "sue", "reject", "請改到下個月")
    [notice] = desk.notices("sam.wang@example.com")
    assert notice.subject == "請假申請：未批准"
    assert notice.message.startswith("您 2026-03-09 至 2026-03-13 的婚假未獲批准：請改到下個月")
