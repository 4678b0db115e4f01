"""R-2.1.2 Application (業務申請): a complete form, a pre-review, and ONE notice listing every missing item."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.bootstrap import Casedesk
from engine.errors import InvalidInput
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    CUSTOMER, Case, _mail_server, _sms_server, application_data, consult_and_apply, desk, mailbox, sms)
from tests.support.notify_servers import Mailbox, SmsGateway


def test_r_2_1_2_incomplete_application_form_is_refused_field_by_field(desk: Casedesk) -> None:
    case = consult_and_apply(desk)
    with pytest.raises(InvalidInput) as refused:
        case.work("ivy", "fill_application", application_data(title="", materials=[], email="not-an-address"))
    assert {"title", "materials", "email"} <= set(refused.value.field_errors)
    assert case.titles("ivy") == ["Fill in the application"]


def test_r_2_1_2_missing_materials_are_listed_in_one_notice(desk: Casedesk, mailbox: Mailbox) -> None:
    case = consult_and_apply(desk)
    case.work("ivy", "fill_application", application_data(materials=["application_form"]))
    case.work("ivy", "prereview_materials", {
        "missing_items": ["identity_document", "contract", "authorisation_letter"],
        "review_remarks": "The application form is not signed. 申請表未簽名。"})

    assert len(mailbox.messages) == 1  # one notice, never piecemeal
    notice = mailbox.messages[0]
    assert notice["To"] == CUSTOMER["email"]
    assert "Materials still needed" in notice["Subject"]
    body = notice.get_content()
    for item in ("身份證明 Identity document", "合同 Contract", "授權委託書 Letter of authorisation",
                 "The application form is not signed."):
        assert item in body
    assert "1. " in body and "4. " in body

    assert case.titles("ivy") == ["Receive the resubmitted materials"]
    case.work("ivy", "resubmit_materials", {"withdrawn": False, "resubmitted_materials": [
        "application_form", "identity_document", "contract", "authorisation_letter"]})
    assert case.titles("ivy") == ["Pre-review the materials"]
    case.work("ivy", "prereview_materials", {"missing_items": [], "review_remarks": ""})
    assert len(mailbox.messages) == 1
    assert case.service_results("case_number")  # accepted


def test_r_2_1_2_notice_goes_by_sms_when_the_customer_has_no_email(desk: Casedesk, sms: SmsGateway,
                                                                    mailbox: Mailbox) -> None:
    case = consult_and_apply(desk)
    case.work("ivy", "fill_application", application_data(channel="sms", email="", materials=["application_form"]))
    case.work("ivy", "prereview_materials", {"missing_items": ["identity_document", "invoice"], "review_remarks": ""})
    assert mailbox.messages == []
    assert len(sms.received) == 1
    assert sms.received[0]["to"] == CUSTOMER["mobile"]
    assert "身份證明 Identity document" in sms.received[0]["message"]
    assert "發票 Invoice" in sms.received[0]["message"]


def test_r_2_1_2_a_notice_that_cannot_be_sent_keeps_the_pre_review_and_goes_out_on_retry(
        desk: Casedesk, mailbox: Mailbox) -> None:
    case = consult_and_apply(desk)
    case.work("ivy", "fill_application", application_data(materials=["application_form"]))
    mailbox.refuse = True
    view = case.work("ivy", "prereview_materials", {"missing_items": ["contract"], "review_remarks": "unsigned"})
    # The clerk's ticks are saved; the notice waits for its retry instead of taking them back.
    assert view.waiting_services and case.titles("ivy") == []
    [failed] = case.events("service_failed")
    assert failed["operator"] == "notify_customer" and failed["retry_at"]
    assert case.events("task_submitted")[-1]["data"]["missing_items"] == ["contract"]
    mailbox.refuse = False
    desk.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    assert desk.jobs.run_due("test") == 1
    assert len(mailbox.messages) == 1 and "unsigned" in mailbox.messages[0].get_content()
    assert case.titles("ivy") == ["Receive the resubmitted materials"]
    assert desk.history.replay(case.id).verified
