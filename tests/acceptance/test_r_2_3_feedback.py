"""R-2.3 Feedback (業務反饋流程): the result notice by the customer's channel, satisfaction, rectification."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.bootstrap import Casedesk
from engine.errors import InvalidInput
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    CUSTOMER, Case, _mail_server, _sms_server, accepted_case, desk, handled_case, mailbox, sms)
from tests.support.notify_servers import Mailbox, SmsGateway

SATISFIED = {"satisfaction": "satisfied", "opinion": "Quick and clear. 快捷清楚。", "feedback_problem": ""}


def case_number(case: Case) -> str:
    return str(case.service_results("case_number")[0])


def test_r_2_3_1_result_notice_by_email_reaches_the_customer(desk: Casedesk, mailbox: Mailbox) -> None:
    case = handled_case(desk, "sales", channel="email")
    assert len(mailbox.messages) == 1
    notice = mailbox.messages[0]
    number = case_number(case)
    assert notice["To"] == CUSTOMER["email"]
    assert number in notice["Subject"]
    assert "Contract signed. 合同已簽訂。" in notice.get_content()
    delivery = case.service_results("notify_customer")[0]
    assert (delivery["channel"], delivery["recipient"]) == ("email", CUSTOMER["email"])
    assert case.titles("sam") == ["Record the customer's feedback"]


def test_r_2_3_1_result_notice_by_sms_goes_through_the_gateway(desk: Casedesk, sms: SmsGateway,
                                                               mailbox: Mailbox) -> None:
    case = handled_case(desk, "finance", channel="sms")
    assert mailbox.messages == []
    assert len(sms.received) == 1
    assert sms.received[0]["to"] == CUSTOMER["mobile"]
    assert case_number(case) in sms.received[0]["message"]
    assert case.service_results("notify_customer")[0]["gateway_id"] == "sms-1"
    assert case.titles("fay") == ["Record the customer's feedback"]


def test_r_2_3_1_result_notice_by_phone_is_a_call_the_handler_records(desk: Casedesk, mailbox: Mailbox) -> None:
    case = handled_case(desk, "general", channel="phone")
    assert mailbox.messages == []
    assert case.titles("gus") == ["Phone the customer"]
    with pytest.raises(InvalidInput) as refused:  # only once the customer was reached
        case.work("gus", "phone_customer", {"reached": False, "call_note": "No answer."})
    assert "reached" in refused.value.field_errors
    case.work("gus", "phone_customer", {"reached": True, "call_note": "Told Mr Wang the result at 10:05."})
    assert case.titles("gus") == ["Record the customer's feedback"]


def test_r_2_3_1_a_refused_sms_is_retried_then_an_incident_never_a_silent_drop(desk: Casedesk, sms: SmsGateway) -> None:
    case = accepted_case(desk, "sales", channel="sms")
    sms.fail_with = 503
    view = case.work("sam", "handle_case", {"outcome": "done", "result": "Delivered."})
    assert view.waiting_services  # the handling is saved; the notice waits
    assert case.titles("sam") == []
    for minutes in (1, 2, 4):
        desk.clock.advance(timedelta(minutes=minutes))  # type: ignore[attr-defined]
        desk.jobs.run_due("test")
    [incident] = desk.incidents.list(instance_id=case.id)
    assert "HTTP 503" in incident.error and sms.received == []
    sms.fail_with = None
    desk.incidents.retry(incident.id, actor="root")
    assert len(sms.received) == 1
    assert desk.incidents.list(instance_id=case.id) == []
    assert desk.history.replay(case.id).verified


def test_r_2_3_2_satisfied_customer_closes_the_case(desk: Casedesk) -> None:
    case = handled_case(desk, "sales")
    case.work("sam", "record_feedback", SATISFIED)
    assert case.status == "completed"
    assert case.final_data()["satisfaction"] == "satisfied"


def test_r_2_3_2_dissatisfaction_is_recorded_and_passed_to_the_department(desk: Casedesk) -> None:
    case = handled_case(desk, "sales")
    with pytest.raises(InvalidInput) as refused:
        case.work("sam", "record_feedback", {"satisfaction": "dissatisfied", "opinion": ""})
    assert {"feedback_problem", "rectifying_department"} <= set(refused.value.field_errors)  # problem and where it lies
    case.work("sam", "record_feedback", {"satisfaction": "dissatisfied", "opinion": "Too slow.",
                                         "feedback_problem": "Two units arrived damaged; wants replacements.",
                                         "rectifying_department": "sales"})
    assert case.titles("sam") == ["Rectify"]
    assert case.status == "running"


def test_r_2_3_3_rectification_loops_until_the_verifier_confirms_it_is_solved(desk: Casedesk) -> None:
    case = handled_case(desk, "sales")
    case.work("sam", "record_feedback", {"satisfaction": "dissatisfied", "opinion": "",
                                         "feedback_problem": "Two units arrived damaged.",
                                         "rectifying_department": "sales"})
    case.work("sam", "rectify", {"measures": "Sent two replacement units."})
    assert case.titles("sam") == ["Report back to the customer"]
    case.work("sam", "inform_customer", {"customer_response": "One replacement is damaged too."})
    assert case.inbox("sam") == []
    assert case.titles("sue") == ["Verify the rectification"]
    case.work("sue", "verify_rectification", {"solved": False, "verification_note": "Still one damaged unit."})

    assert case.titles("sam") == ["Rectify"]  # round two
    case.work("sam", "rectify", {"measures": "Courier-delivered a third unit, checked on arrival."})
    case.work("sam", "inform_customer", {"customer_response": "All units fine now."})
    case.work("sue", "verify_rectification", {"solved": True, "verification_note": "Customer confirmed."})
    assert case.status == "completed"
    rounds = [e for e in case.events("task_done") if e["element"] == "rectify"]
    assert len(rounds) == 2
