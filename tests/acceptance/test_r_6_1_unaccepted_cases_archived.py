"""R-6.1 Collection: a consultation that ends without an application, and an application the customer
withdraws, are archived like finished cases — in the class of their business type (R-6.2), complete,
without case number (R-2.1.3 never gave one), read only through the archive guard (R-6.4)."""
from __future__ import annotations

import pytest

from engine.bootstrap import Casedesk
from engine.errors import Forbidden, InvalidInput
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    Case, _mail_server, _sms_server, application_data, consult_and_apply, desk, mailbox, sms)

QUESTION = {"customer_name": "李雷 Li Lei", "business_type": "finance",
            "question": "Can I pay in two instalments? 可以分兩期付款嗎？"}


def register_entry(desk: Casedesk, number: str):  # type: ignore[no-untyped-def]
    return desk.archives.register_record(number, "ann")


def test_r_6_1_a_consultation_answered_on_the_spot_without_application_is_archived(desk: Casedesk) -> None:
    case = Case.open(desk)
    case.work("ivy", "receive_consultation", {**QUESTION, "answered_now": True, "answer": "Yes.",
                                              "wants_to_apply": False})
    assert case.status == "completed"
    [filing] = case.service_results("file_unaccepted_case_records")
    assert filing["archive_number"].startswith("DA-CW-") and filing["items"] == 1
    record = register_entry(desk, filing["archive_number"])
    assert (record.entry.archive_class, record.entry.status, record.entry.case_number) == ("finance", "complete", None)
    assert [i.name for i in record.items] == ["consultation"]
    [params] = [p["params"] for p in case.events("service_result") if p["operator"] == "file_unaccepted_case_records"]
    assert params["records"]["consultation"]["question"] == QUESTION["question"]
    assert params["records"]["consultation"]["answer"] == "Yes."
    assert case.service_results("case_number") == []
    assert filing["archive_number"] not in {f.archive for f in desk.archives.inventory("ann").findings}


def test_r_6_1_a_consultation_replied_later_without_application_is_archived_with_the_reply(desk: Casedesk) -> None:
    case = Case.open(desk)
    case.work("ivy", "receive_consultation", {**QUESTION, "mobile": "+86 139 0000 0002", "email": "",
                                              "answered_now": False})
    case.work("ivy", "reply_consultation", {"answer": "Yes, after a credit check.", "wants_to_apply": False})
    [params] = [p["params"] for p in case.events("service_result") if p["operator"] == "file_unaccepted_case_records"]
    assert params["records"]["consultation"]["answer"] == "Yes, after a credit check."
    assert params["records"]["consultation"]["answered_now"] is False


def withdrawn_case(desk: Casedesk) -> Case:
    case = consult_and_apply(desk, "procurement")
    case.work("ivy", "fill_application", application_data("procurement", materials=["application_form"]))
    case.work("ivy", "prereview_materials", {"missing_items": ["identity_document", "contract"],
                                             "review_remarks": ""})
    return case


def test_r_6_1_a_withdrawn_application_is_archived_as_it_stands(desk: Casedesk) -> None:
    case = withdrawn_case(desk)
    case.work("ivy", "resubmit_materials", {"withdrawn": True, "resubmitted_materials": [],  # as the web form posts it
                                            "withdrawal_reason": "Bought elsewhere. 已在別處採購。"})
    assert case.status == "completed" and case.ready() == []
    assert case.service_results("case_number") == [] and case.service_results("file_materials") == []
    [filing] = case.service_results("file_unaccepted_case_records")
    record = register_entry(desk, filing["archive_number"])
    assert filing["archive_number"].startswith("DA-CG-")
    assert (record.entry.status, record.entry.case_number) == ("complete", None)
    assert [i.name for i in record.items] == ["application", "consultation", "prereview", "withdrawal"]
    [params] = [p["params"] for p in case.events("service_result") if p["operator"] == "file_unaccepted_case_records"]
    assert params["records"]["application"]["materials"] == ["application_form"]
    assert params["records"]["prereview"]["missing_items"] == ["identity_document", "contract"]
    assert params["records"]["withdrawal"] == {"reason": "Bought elsewhere. 已在別處採購。"}
    with pytest.raises(Forbidden):  # nobody reads it without an approved borrowing
        desk.archives.read(filing["archive_number"], "ann")


def test_r_6_1_a_withdrawal_needs_its_reason(desk: Casedesk) -> None:
    case = withdrawn_case(desk)
    with pytest.raises(InvalidInput) as refused:
        case.work("ivy", "resubmit_materials", {"withdrawn": True, "withdrawal_reason": ""})
    assert set(refused.value.field_errors) == {"withdrawal_reason"}
    assert case.titles("ivy") == ["Receive the resubmitted materials"]  # nothing was saved


def test_r_2_1_2_a_resubmission_that_is_not_a_withdrawal_still_needs_its_materials(desk: Casedesk) -> None:
    case = withdrawn_case(desk)
    with pytest.raises(InvalidInput) as refused:
        case.work("ivy", "resubmit_materials", {"withdrawn": False, "resubmitted_materials": [],
                                                "withdrawal_reason": ""})
    assert set(refused.value.field_errors) == {"resubmitted_materials"}
    assert case.titles("ivy") == ["Receive the resubmitted materials"]
