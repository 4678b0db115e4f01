"""R-2.1.1 Consultation: the customer is told by when the reply comes, and a reply that misses that
deadline goes to the head of the business type's department."""
from __future__ import annotations

from datetime import timedelta

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    Case, _mail_server, _sms_server, desk, mailbox, sms)
from tests.support.notify_servers import Mailbox, SmsGateway

QUESTION = {"customer_name": "韓梅梅 Han Meimei", "business_type": "general", "email": "han@example.com", "mobile": "",
            "question": "Which documents prove my address? 哪些文件可證明地址？", "answered_now": False}


def fire_due(desk: Casedesk, clock: FakeClock, delta: timedelta) -> int:
    clock.advance(delta)
    return desk.jobs.run_due("test")


def test_r_2_1_1_customer_is_told_the_reply_deadline_by_email_at_intake(
        desk: Casedesk, clock: FakeClock, mailbox: Mailbox) -> None:
    case = Case.open(desk)
    case.work("ivy", "receive_consultation", QUESTION)
    reply = case.task("ivy", "reply_consultation")
    assert reply.due_at == clock.now() + timedelta(days=2)

    assert len(mailbox.messages) == 1
    notice = mailbox.messages[0]
    promised = (reply.due_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")  # Asia/Shanghai
    assert notice["To"] == "han@example.com"
    assert promised in notice["Subject"] and promised in notice.get_content()
    assert QUESTION["question"] in notice.get_content()
    [receipt] = case.service_results("notify_reply_deadline")
    assert receipt["recipient"] == "han@example.com" and receipt["reply_due_local"] == promised


def test_r_2_1_1_customer_without_email_is_told_the_deadline_by_sms(
        desk: Casedesk, mailbox: Mailbox, sms: SmsGateway) -> None:
    case = Case.open(desk)
    case.work("ivy", "receive_consultation", {**QUESTION, "email": "", "mobile": "+86 139 0000 0002"})
    assert mailbox.messages == []
    assert [m["to"] for m in sms.received] == ["+86 139 0000 0002"]
    assert case.task("ivy", "reply_consultation").title == "Reply to the customer"


def test_r_2_1_1_a_refused_deadline_notice_is_retried_then_an_incident_never_a_silent_drop(
        desk: Casedesk, clock: FakeClock, mailbox: Mailbox) -> None:
    mailbox.refuse = True
    case = Case.open(desk)
    view = case.work("ivy", "receive_consultation", QUESTION)
    assert view.waiting_services  # the question is recorded; the notice waits
    assert case.titles("ivy") == []  # no reply task before the customer knows the deadline
    for minutes in (1, 2, 4):
        fire_due(desk, clock, timedelta(minutes=minutes))
    [incident] = desk.incidents.list(instance_id=case.id)
    assert "han@example.com" in incident.error and mailbox.messages == []
    mailbox.refuse = False
    desk.incidents.retry(incident.id, actor="root")
    assert len(mailbox.messages) == 1
    assert case.task("ivy", "reply_consultation").due_at == clock.now() + timedelta(days=2)


def test_r_2_1_1_an_unanswered_question_past_its_deadline_goes_to_the_department_head(
        desk: Casedesk, clock: FakeClock) -> None:
    case = Case.open(desk)
    case.work("ivy", "receive_consultation", QUESTION)  # general affairs: head is Gil
    fire_due(desk, clock, timedelta(days=2) - timedelta(minutes=1))
    assert case.inbox("gil") == []
    assert case.titles("tom") == ["Chase the reply"]  # the day-before reminder
    assert fire_due(desk, clock, timedelta(minutes=1)) >= 1
    assert case.titles("gil") == ["Take up the overdue reply"]
    assert case.inbox("sue") == [] and case.inbox("fred") == []  # only the head of the case's department

    case.work("gil", "take_up_overdue_reply", {"overdue_reply_action": "Called Han; Ivy replies today."})
    assert case.titles("ivy") == ["Reply to the customer"]  # the reply itself is still owed
    case.work("ivy", "reply_consultation", {"answer": "A utility bill.", "wants_to_apply": False})
    assert case.status == "completed"
    [taken_up] = [e for e in case.events("task_done") if e["element"] == "take_up_overdue_reply"]
    assert taken_up["delta"]["set"]["overdue_reply_action"] == "Called Han; Ivy replies today."
    assert {e["element"] for e in case.events("task_withdrawn")} == {"chase_reply"}


def test_r_2_1_1_an_escalation_still_open_when_the_reply_is_given_is_withdrawn(
        desk: Casedesk, clock: FakeClock) -> None:
    case = Case.open(desk)
    case.work("ivy", "receive_consultation", QUESTION)
    fire_due(desk, clock, timedelta(days=2))
    assert case.titles("gil") == ["Take up the overdue reply"]
    case.work("ivy", "reply_consultation", {"answer": "A utility bill.", "wants_to_apply": False})
    assert case.inbox("gil") == [] and case.inbox("tom") == []
    assert {e["element"] for e in case.events("task_withdrawn")} == {"chase_reply", "take_up_overdue_reply"}
