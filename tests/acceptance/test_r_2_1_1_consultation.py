"""R-2.1.1 Consultation (客戶諮詢): answer on the spot, or record contact and question and reply in time."""
from __future__ import annotations

import pytest

from engine.bootstrap import Casedesk
from engine.errors import Forbidden, InvalidInput
from tests.acceptance.case_support import Case, desk, mailbox, sms, _mail_server, _sms_server  # noqa: F401

QUESTION = {"customer_name": "李雷 Li Lei", "business_type": "finance",
            "question": "Can I pay in two instalments? 可以分兩期付款嗎？"}


def test_r_2_1_1_only_intake_clerks_open_a_case(desk: Casedesk) -> None:
    with pytest.raises(Forbidden):
        desk.runtime.start_instance("business_case", {}, actor="sam")
    case = Case.open(desk, "ivy")
    assert case.titles("ivy") == ["Receive the consultation"]
    assert case.inbox("sam") == []


def test_r_2_1_1_question_answered_on_the_spot_closes_the_consultation(desk: Casedesk) -> None:
    case = Case.open(desk)
    case.work("ivy", "receive_consultation", {**QUESTION, "answered_now": True,
                                              "answer": "Yes, 50 % now and 50 % on delivery.",
                                              "wants_to_apply": False})
    assert case.status == "completed"
    assert case.ready() == []
    data = case.final_data()
    assert data["answer"] == "Yes, 50 % now and 50 % on delivery."
    assert data["question"] == QUESTION["question"]


def test_r_2_1_1_unanswered_question_is_recorded_with_contact_and_replied_later(desk: Casedesk) -> None:
    case = Case.open(desk)
    case.work("ivy", "receive_consultation", {**QUESTION, "mobile": "+86 139 0000 0002", "email": "",
                                              "answered_now": False, "answer": "", "wants_to_apply": False})
    reply = case.task("ivy", "reply_consultation")
    assert reply.title == "Reply to the customer"
    assert case.status == "running"
    case.work("ivy", "reply_consultation", {"answer": "Yes, after a credit check.", "wants_to_apply": False})
    assert case.status == "completed"
    data = case.final_data()
    assert (data["mobile"], data["answer"]) == ("+86 139 0000 0002", "Yes, after a credit check.")


def test_r_2_1_1_a_later_reply_needs_the_customers_contact_details(desk: Casedesk) -> None:
    case = Case.open(desk)
    with pytest.raises(InvalidInput) as refused:
        case.work("ivy", "receive_consultation", {**QUESTION, "answered_now": False})
    assert refused.value.field_errors  # the form says what is missing, per field
    messages = " ".join(m for ms in refused.value.field_errors.values() for m in ms)
    assert "a phone number or an e-mail address" in messages  # English; the bundle translates it on the page
    assert case.titles("ivy") == ["Receive the consultation"]  # nothing was saved


def test_r_2_1_1_an_answer_on_the_spot_must_be_recorded(desk: Casedesk) -> None:
    case = Case.open(desk)
    with pytest.raises(InvalidInput) as refused:
        case.work("ivy", "receive_consultation", {**QUESTION, "answered_now": True})
    assert set(refused.value.field_errors) == {"answer", "wants_to_apply"}
