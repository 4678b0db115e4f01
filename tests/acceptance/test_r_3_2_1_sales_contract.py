"""R-3.2.1 Sales: a sales contract's terms are reviewed (lawful, reasonable, clear) before it is signed, larger
amounts by finance and a leader too (sales_contract_approval.dmn); a contract found at fault goes back to sales
to amend; only a cleared contract is signed, and it is filed in the sales archive once its order is complete."""
from __future__ import annotations

from typing import Any

import pytest

from engine.bootstrap import Casedesk
from engine.errors import HandlerFailed, InvalidInput
from tests.acceptance.case_support import accepted_case
from tests.acceptance.trade_support import (  # noqa: F401 - fixtures
    _mail_server, _sms_server, attach, data, desk, filed_records, inbox, mailbox, register, sms, start, trade_desk)
from tests.support.sample_files import pdf
from tests.support.steps import work

TERMS = {"customer_name": "Hengda Trading", "contract_subject": "500 office chairs", "contract_amount": 79999.99,
         "contract_terms": "160 per chair; 30% on signing, 70% within 30 days of delivery; delivery to the "
                           "customer's warehouse; a defective chair is replaced within 7 days.",
         "delivery_date": "2026-11-20", "case_number": ""}
CONFIRMED = {"terms_lawful": True, "terms_reasonable": True, "terms_clear": True, "review_note": ""}
SIGNED = {"signing_date": "2026-11-02", "customer_signatory": "Li Wei, purchasing manager"}
COMPLETE = {"goods_delivered": True, "invoice_issued": True, "payment_received": True, "order_problem": "",
            "follow_up_note": "Paid in full."}


def signing(desk: Casedesk, **changes: Any) -> dict[str, Any]:
    """The signing form with the signed contract attached as a PDF."""
    scan = attach(desk, "sam", "HT-2026-0001 signed.pdf", pdf("contract signed by Hengda Trading"))
    return {**SIGNED, "signed_contract_documents": [scan], **changes}


def drafted(desk: Casedesk, **changes: Any) -> str:
    contract = start(desk, "sales_contract", "sam")
    work(desk, "sam", "draft_contract", {**TERMS, **changes}, contract)
    return contract


def test_r_3_2_1_a_contract_is_not_signable_before_the_head_of_sales_reviewed_its_terms(
        trade_desk: Casedesk) -> None:
    contract = drafted(trade_desk)
    assert inbox(trade_desk, "sam", contract) == []  # nothing to sign yet
    assert inbox(trade_desk, "sue", contract) == ["review_terms"]
    assert inbox(trade_desk, "fred", contract) == inbox(trade_desk, "leo", contract) == []
    assert data(trade_desk, contract)["contract"]["contract_number"] == "HT-2026-0001"
    assert (data(trade_desk, contract)["needs_finance"], data(trade_desk, contract)["needs_leader"]) == (False, False)

    work(trade_desk, "sue", "review_terms", CONFIRMED, contract)
    assert inbox(trade_desk, "sue", contract) == []
    assert inbox(trade_desk, "sam", contract) == ["sign_contract"]
    assert data(trade_desk, contract)["cleared"]["approvals"] == ["sales_head"]


def test_r_3_2_1_a_signed_contract_is_followed_until_complete_and_filed_in_the_sales_archive(
        trade_desk: Casedesk) -> None:
    contract = drafted(trade_desk)
    work(trade_desk, "sue", "review_terms", CONFIRMED, contract)
    with pytest.raises(InvalidInput):  # the signed contract itself is filed: no signing without it
        work(trade_desk, "sam", "sign_contract", SIGNED, contract)
    signed = signing(trade_desk)
    work(trade_desk, "sam", "sign_contract", signed, contract)
    assert inbox(trade_desk, "sam", contract) == ["follow_up_order"]

    work(trade_desk, "sam", "follow_up_order", {**COMPLETE, "invoice_issued": False, "payment_received": False,
                                                "follow_up_note": "Delivered on 18 Nov."}, contract)
    assert inbox(trade_desk, "sam", contract) == ["follow_up_order"]  # not complete: it stays with sales
    assert register(trade_desk, "sales") == []

    done = work(trade_desk, "sam", "follow_up_order", COMPLETE, contract)
    assert done.status == "completed"
    [entry] = register(trade_desk, "sales")
    assert (entry.number, entry.archive_class, entry.status) == ("DA-XS-2026-000001", "sales", "complete")
    assert "HT-2026-0001" in entry.title and "Hengda Trading" in entry.title
    records = filed_records(trade_desk, entry.number)
    assert sorted(records) == ["contract", "order", "review", "signing"]
    assert records["contract"]["amount"] == 79999.99 and records["signing"]["signing_date"] == "2026-11-02"
    assert records["review"]["approvals"] == ["sales_head"]
    assert [(f["goods_delivered"], f["payment_received"]) for f in records["order"]] == [(True, False), (True, True)]
    # The signed contract is one of the archive's documents, read like any other only under a borrowing.
    documents = trade_desk.archives.register_record(entry.number, "ann").documents
    assert [(d.variable, d.name, d.sha256) for d in documents] == [
        ("signed_contract_documents", "HT-2026-0001 signed.pdf", signed["signed_contract_documents"][0]["sha256"])]


def test_r_3_2_1_a_term_not_confirmed_sends_the_contract_back_to_sales_to_amend(trade_desk: Casedesk) -> None:
    contract = drafted(trade_desk)
    with pytest.raises(InvalidInput):  # a point not confirmed needs the reason
        work(trade_desk, "sue", "review_terms", {**CONFIRMED, "terms_clear": False}, contract)
    work(trade_desk, "sue", "review_terms",
         {**CONFIRMED, "terms_clear": False, "review_note": "Name the warehouse address."}, contract)
    assert inbox(trade_desk, "sam", contract) == ["amend_contract"]
    assert inbox(trade_desk, "sue", contract) == []
    assert data(trade_desk, contract)["review_note"] == "Name the warehouse address."

    work(trade_desk, "sam", "amend_contract",
         {**TERMS, "contract_terms": TERMS["contract_terms"] + " Warehouse: 8 Harbour Road."}, contract)
    assert inbox(trade_desk, "sam", contract) == []
    assert inbox(trade_desk, "sue", contract) == ["review_terms"]
    # The amended contract is reviewed afresh: the earlier round's confirmations do not carry over.
    assert not data(trade_desk, contract)["terms_lawful"]
    assert data(trade_desk, contract)["contract"]["contract_number"] == "HT-2026-0001"
    work(trade_desk, "sue", "review_terms", CONFIRMED, contract)
    assert inbox(trade_desk, "sam", contract) == ["sign_contract"]


def test_r_3_2_1_a_larger_contract_is_reviewed_by_finance_before_signing(trade_desk: Casedesk) -> None:
    contract = drafted(trade_desk, contract_amount=250000)
    assert (data(trade_desk, contract)["needs_finance"], data(trade_desk, contract)["needs_leader"]) == (True, False)
    work(trade_desk, "sue", "review_terms", CONFIRMED, contract)
    assert inbox(trade_desk, "sam", contract) == []
    assert inbox(trade_desk, "fred", contract) == ["finance_review"]

    work(trade_desk, "fred", "finance_review",
         {"finance_approved": False, "finance_note": "Ask 50% on signing."}, contract)
    assert inbox(trade_desk, "sam", contract) == ["amend_contract"]
    work(trade_desk, "sam", "amend_contract", {**TERMS, "contract_amount": 250000,
                                               "contract_terms": "50% on signing, 50% on delivery."}, contract)
    work(trade_desk, "sue", "review_terms", CONFIRMED, contract)
    work(trade_desk, "fred", "finance_review", {"finance_approved": True, "finance_note": ""}, contract)
    assert inbox(trade_desk, "leo", contract) == []
    assert inbox(trade_desk, "sam", contract) == ["sign_contract"]
    assert data(trade_desk, contract)["cleared"]["approvals"] == ["sales_head", "finance_head"]


def test_r_3_2_1_the_largest_contracts_need_a_leaders_approval_too(trade_desk: Casedesk) -> None:
    contract = drafted(trade_desk, contract_amount=600000)
    work(trade_desk, "sue", "review_terms", CONFIRMED, contract)
    work(trade_desk, "fred", "finance_review", {"finance_approved": True, "finance_note": ""}, contract)
    assert inbox(trade_desk, "sam", contract) == []
    assert inbox(trade_desk, "leo", contract) == ["leader_approval"]

    work(trade_desk, "leo", "leader_approval",
         {"leader_approved": False, "leader_note": "Add a late-delivery penalty."}, contract)
    assert inbox(trade_desk, "sam", contract) == ["amend_contract"]
    work(trade_desk, "sam", "amend_contract", {**TERMS, "contract_amount": 600000,
                                               "contract_terms": "Penalty 0.1% a day for late delivery."}, contract)
    work(trade_desk, "sue", "review_terms", CONFIRMED, contract)
    work(trade_desk, "fred", "finance_review", {"finance_approved": True, "finance_note": ""}, contract)
    work(trade_desk, "leo", "leader_approval", {"leader_approved": True, "leader_note": ""}, contract)
    assert inbox(trade_desk, "sam", contract) == ["sign_contract"]
    assert data(trade_desk, contract)["cleared"]["approvals"] == ["sales_head", "finance_head", "leader"]


def test_r_3_2_1_a_signing_date_before_the_review_or_in_the_future_is_refused(trade_desk: Casedesk) -> None:
    contract = drafted(trade_desk)
    work(trade_desk, "sue", "review_terms", CONFIRMED, contract)
    with pytest.raises(HandlerFailed, match="before its review"):
        work(trade_desk, "sam", "sign_contract", signing(trade_desk, signing_date="2026-11-01"), contract)
    with pytest.raises(HandlerFailed, match="in the future"):
        work(trade_desk, "sam", "sign_contract", signing(trade_desk, signing_date="2026-11-03"), contract)
    assert inbox(trade_desk, "sam", contract) == ["sign_contract"]  # nothing was recorded
    assert "signed" not in data(trade_desk, contract)


def test_r_3_2_1_a_contract_serving_a_sales_case_is_found_in_the_register_beside_the_cases_archive(
        trade_desk: Casedesk) -> None:
    case = accepted_case(trade_desk, "sales")
    [case_number] = case.service_results("case_number")
    contract = start(trade_desk, "sales_contract", "sam")
    with pytest.raises(InvalidInput):  # not a sales case number
        work(trade_desk, "sam", "draft_contract", {**TERMS, "case_number": "CG-20261102-0001"}, contract)
    work(trade_desk, "sam", "draft_contract", {**TERMS, "case_number": case_number}, contract)
    work(trade_desk, "sue", "review_terms", CONFIRMED, contract)
    work(trade_desk, "sam", "sign_contract", signing(trade_desk), contract)
    work(trade_desk, "sam", "follow_up_order", COMPLETE, contract)

    found = trade_desk.archives.list_register("ann", search=case_number)
    assert [(e.archive_class, e.case_number, e.status) for e in found] == [
        ("sales", case_number, "open"), ("sales", None, "complete")]
    assert f"(case {case_number})" in found[1].title
    assert filed_records(trade_desk, found[1].number)["contract"]["case_number"] == case_number
