"""Deadlines of the case chain as timers (R-2.1.1 reply due, R-2.2.3 processing warnings): the fake
clock moves, due jobs run, and the tracker or the department head finds a task in their inbox."""
from __future__ import annotations

from datetime import timedelta

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    Case, _mail_server, _sms_server, accepted_case, desk, mailbox, sms)
from tests.support.notify_servers import Mailbox

QUESTION = {"customer_name": "韓梅梅 Han Meimei", "business_type": "general", "email": "han@example.com", "mobile": "",
            "question": "Which documents prove my address? 哪些文件可證明地址？", "answered_now": False}


def fire_due(desk: Casedesk, clock: FakeClock, delta: timedelta) -> int:
    clock.advance(delta)
    return desk.jobs.run_due("test")


def test_r_2_1_1_tracker_is_reminded_a_day_before_the_reply_is_due(desk: Casedesk, clock: FakeClock) -> None:
    case = Case.open(desk)
    case.work("ivy", "receive_consultation", QUESTION)
    reply = case.task("ivy", "reply_consultation")
    assert reply.due_at == clock.now() + timedelta(days=2)

    fire_due(desk, clock, timedelta(hours=23))
    assert case.inbox("tom") == []  # not yet
    assert fire_due(desk, clock, timedelta(hours=1)) >= 1
    assert case.titles("tom") == ["Chase the reply"]
    assert case.titles("ivy") == ["Reply to the customer"]  # the reply itself is still owed

    case.work("tom", "chase_reply", {"reply_follow_up": "Reminded Ivy by phone; reply promised today."})
    case.work("ivy", "reply_consultation", {"answer": "A utility bill or a tenancy contract.",
                                            "wants_to_apply": False})
    assert case.status == "completed"
    assert case.final_data()["answer"] == "A utility bill or a tenancy contract."


def test_r_2_1_1_a_reply_in_time_raises_no_reminder(desk: Casedesk, clock: FakeClock) -> None:
    case = Case.open(desk)
    case.work("ivy", "receive_consultation", QUESTION)
    clock.advance(timedelta(hours=5))
    case.work("ivy", "reply_consultation", {"answer": "A utility bill.", "wants_to_apply": False})
    fire_due(desk, clock, timedelta(days=3))
    assert case.inbox("tom") == [] and case.status == "completed"


def test_r_2_2_3_tracker_is_warned_before_and_the_head_at_the_deadline(
        desk: Casedesk, clock: FakeClock, mailbox: Mailbox) -> None:
    case = accepted_case(desk, "sales")  # sales: 3 days, warning after 2 (assignment.dmn)
    handling = case.task("sam", "handle_case")
    assert handling.due_at == clock.now() + timedelta(days=3)

    fire_due(desk, clock, timedelta(days=2) - timedelta(minutes=1))
    assert case.inbox("tom") == []
    fire_due(desk, clock, timedelta(minutes=1))
    assert case.titles("tom") == ["Progress warning"]
    assert case.inbox("sue") == []
    fire_due(desk, clock, timedelta(days=1))
    assert case.titles("sue") == ["Overdue escalation"]
    assert case.inbox("peg") == [] and case.inbox("gil") == []  # only the sales head

    case.work("tom", "progress_warning", {"warning_follow_up": "Asked Sam for a date; told Sue."})
    case.work("sue", "overdue_escalation", {"overdue_instruction": "Deliver today, apologise to the customer."})
    assert mailbox.messages == []
    case.work("sam", "handle_case", {"outcome": "done", "result": "Delivered a day late."})
    assert len(mailbox.messages) == 1  # the handler's result reaches the customer
    assert "Delivered a day late." in mailbox.messages[0].get_content()
    case.work("sam", "record_feedback", {"satisfaction": "satisfied", "opinion": ""})
    assert case.status == "completed"
    assert case.final_data()["result"] == "Delivered a day late."


def test_r_2_2_3_warnings_still_open_when_the_case_is_handled_are_withdrawn(
        desk: Casedesk, clock: FakeClock, mailbox: Mailbox) -> None:
    case = accepted_case(desk, "procurement")  # 5 days, warning after 4
    fire_due(desk, clock, timedelta(days=5))
    assert case.titles("tom") == ["Progress warning"]
    assert case.titles("peg") == ["Overdue escalation"]
    case.work("pat", "handle_case", {"outcome": "done", "result": "Goods accepted against the contract."})
    assert case.inbox("tom") == [] and case.inbox("peg") == []  # the delay is over
    withdrawn = {e["element"] for e in case.events("task_withdrawn")}
    assert withdrawn == {"progress_warning", "overdue_escalation"}
    assert len(mailbox.messages) == 1  # the result notice is not held back
    assert case.titles("pat") == ["Record the customer's feedback"]


def test_r_2_2_3_a_case_handled_in_time_raises_no_warning(desk: Casedesk, clock: FakeClock) -> None:
    case = accepted_case(desk, "finance")
    clock.advance(timedelta(hours=20))
    case.work("fay", "handle_case", {"outcome": "done", "result": "Paid."})
    fire_due(desk, clock, timedelta(days=5))
    assert case.inbox("tom") == [] and case.inbox("fred") == []
    assert case.titles("fay") == ["Record the customer's feedback"]
