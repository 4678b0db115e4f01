"""R-3.2.2 Procurement: a purchase plan approved by the head of procurement (and a leader above the threshold
of procurement_approval.dmn), a supplier chosen from enough quotes with the reason, a contract negotiated
within the budget; plans sent back are revised."""
from __future__ import annotations

from typing import Any

import pytest

from engine.bootstrap import Casedesk
from engine.errors import HandlerFailed, InvalidInput
from tests.acceptance.trade_support import (  # noqa: F401 - fixtures
    _mail_server, _sms_server, attach, data, desk, inbox, mailbox, sms, start, trade_desk)
from tests.support.sample_files import pdf
from tests.support.steps import work

PLAN = {"purchase_title": "Laptops for the new sales office",
        "purchase_items": "Laptop | 14-inch, 16 GB memory, 512 GB disk | 10\nDocking station | USB-C, two screens | 10",
        "purchase_budget": 30000, "needed_by": "2026-12-01", "purchase_reason": "Ten new sales staff start in December.",
        "case_number": ""}
APPROVED = {"plan_approved": True, "plan_note": ""}
QUOTES = "Acme Computers | 28,500.50 | delivery in 10 days\nBeta Office | 27900 | delivery in 20 days\nGamma IT | 29800"
SELECTED = {"supplier_quotes": QUOTES, "chosen_supplier": "Acme Computers",
            "selection_reason": "Delivers in time for December; Beta cannot."}
CONTRACT = {"supplier_contract_number": "ACME-2026-117", "contract_items": PLAN["purchase_items"],
            "contract_price": 27799.99, "contract_delivery_date": "2026-11-25",
            "quality_terms": "New, sealed, with a three-year warranty.", "negotiation_note": "Matched Beta's price."}


def signed_contract(desk: Casedesk, **changes: Any) -> dict[str, Any]:
    """The negotiated contract with the signed copy attached as a PDF."""
    scan = attach(desk, "pat", "ACME-2026-117.pdf", pdf("purchase contract ACME-2026-117"))
    return {**CONTRACT, "purchase_contract_documents": [scan], **changes}


def planned(desk: Casedesk, **changes: Any) -> str:
    purchase = start(desk, "procurement", "pat")
    work(desk, "pat", "draft_purchase_plan", {**PLAN, **changes}, purchase)
    return purchase


def contracted(desk: Casedesk) -> str:
    """A 30,000 purchase approved by the head, Acme chosen from three quotes, its contract recorded."""
    purchase = planned(desk)
    work(desk, "peg", "approve_plan", APPROVED, purchase)
    work(desk, "pat", "select_supplier", SELECTED, purchase)
    work(desk, "pat", "negotiate_contract", signed_contract(desk), purchase)
    return purchase


def test_r_3_2_2_the_head_of_procurement_approves_the_plan_before_a_supplier_is_chosen(trade_desk: Casedesk) -> None:
    purchase = planned(trade_desk)
    assert inbox(trade_desk, "pat", purchase) == []
    assert inbox(trade_desk, "peg", purchase) == ["approve_plan"]
    assert inbox(trade_desk, "leo", purchase) == []
    plan = data(trade_desk, purchase)
    assert plan["purchase"]["purchase_number"] == "CG-2026-0001"
    assert [(i["name"], i["quantity"]) for i in plan["plan"]["items"]] == [("Laptop", 10), ("Docking station", 10)]
    assert (plan["needs_leader"], plan["min_quotes"]) == (False, 3)

    work(trade_desk, "peg", "approve_plan", APPROVED, purchase)
    assert inbox(trade_desk, "pat", purchase) == ["select_supplier"]


def test_r_3_2_2_a_plan_that_cannot_be_read_is_refused_line_by_line(trade_desk: Casedesk) -> None:
    purchase = start(trade_desk, "procurement", "pat")
    with pytest.raises(HandlerFailed, match="line 2"):
        work(trade_desk, "pat", "draft_purchase_plan",
             {**PLAN, "purchase_items": "Laptop | 14-inch | 10\nDocking station | ten"}, purchase)
    with pytest.raises(InvalidInput):  # a purchase serves a procurement case, not a sales case
        work(trade_desk, "pat", "draft_purchase_plan", {**PLAN, "case_number": "XS-20261102-0001"}, purchase)
    assert inbox(trade_desk, "pat", purchase) == ["draft_purchase_plan"]
    assert inbox(trade_desk, "peg", purchase) == []


def test_r_3_2_2_a_supplier_is_chosen_from_at_least_the_quotes_the_table_asks_for(trade_desk: Casedesk) -> None:
    purchase = planned(trade_desk)
    work(trade_desk, "peg", "approve_plan", APPROVED, purchase)
    two_quotes = "\n".join(QUOTES.splitlines()[:2])
    with pytest.raises(HandlerFailed, match="at least 3"):
        work(trade_desk, "pat", "select_supplier", {**SELECTED, "supplier_quotes": two_quotes}, purchase)
    with pytest.raises(HandlerFailed, match="gave no quote"):
        work(trade_desk, "pat", "select_supplier", {**SELECTED, "chosen_supplier": "Delta Supplies"}, purchase)
    with pytest.raises(HandlerFailed, match="exceeds the approved budget"):
        work(trade_desk, "pat", "select_supplier",
             {**SELECTED, "supplier_quotes": QUOTES.replace("28,500.50", "31,000")}, purchase)
    with pytest.raises(InvalidInput):  # the reason is required
        work(trade_desk, "pat", "select_supplier", {**SELECTED, "selection_reason": ""}, purchase)

    work(trade_desk, "pat", "select_supplier", SELECTED, purchase)
    chosen = data(trade_desk, purchase)["supplier"]
    assert (chosen["supplier"], chosen["price"], chosen["lowest_price"], len(chosen["quotes"])) == (
        "Acme Computers", 28500.5, 27900, 3)
    # The contract starts from the plan's items.
    assert data(trade_desk, purchase)["contract_items"] == PLAN["purchase_items"]
    assert inbox(trade_desk, "pat", purchase) == ["negotiate_contract"]


def test_r_3_2_2_a_small_purchase_needs_one_quote(trade_desk: Casedesk) -> None:
    purchase = planned(trade_desk, purchase_budget=6000, purchase_items="Toner | HP 58A | 20")
    assert data(trade_desk, purchase)["min_quotes"] == 1
    work(trade_desk, "peg", "approve_plan", APPROVED, purchase)
    work(trade_desk, "pat", "select_supplier", {**SELECTED, "supplier_quotes": "Acme Computers | 5600"}, purchase)
    assert inbox(trade_desk, "pat", purchase) == ["negotiate_contract"]


def test_r_3_2_2_the_negotiated_price_stays_within_the_budget(trade_desk: Casedesk) -> None:
    purchase = planned(trade_desk)
    work(trade_desk, "peg", "approve_plan", APPROVED, purchase)
    work(trade_desk, "pat", "select_supplier", SELECTED, purchase)
    with pytest.raises(HandlerFailed, match="exceeds the approved budget"):
        work(trade_desk, "pat", "negotiate_contract", signed_contract(trade_desk, contract_price=30500), purchase)
    with pytest.raises(InvalidInput):  # the signed contract is filed with the purchase: no contract without it
        work(trade_desk, "pat", "negotiate_contract", CONTRACT, purchase)
    work(trade_desk, "pat", "negotiate_contract", signed_contract(trade_desk), purchase)
    contract = data(trade_desk, purchase)["contract"]
    assert (contract["price"], len(contract["items"]), contract["delivery_date"]) == (27799.99, 2, "2026-11-25")
    assert inbox(trade_desk, "pat", purchase) == ["receive_goods"]


def test_r_3_2_2_a_plan_sent_back_by_the_head_is_revised_and_approved_again(trade_desk: Casedesk) -> None:
    purchase = planned(trade_desk)
    with pytest.raises(InvalidInput):  # sending back needs the reason
        work(trade_desk, "peg", "approve_plan", {"plan_approved": False, "plan_note": ""}, purchase)
    work(trade_desk, "peg", "approve_plan",
         {"plan_approved": False, "plan_note": "Eight laptops are enough this year."}, purchase)
    assert inbox(trade_desk, "peg", purchase) == []
    assert inbox(trade_desk, "pat", purchase) == ["revise_plan"]
    work(trade_desk, "pat", "revise_plan",
         {**PLAN, "purchase_items": "Laptop | 14-inch, 16 GB memory, 512 GB disk | 8", "purchase_budget": 22000},
         purchase)
    assert data(trade_desk, purchase)["purchase"]["purchase_number"] == "CG-2026-0001"
    assert [i["quantity"] for i in data(trade_desk, purchase)["plan"]["items"]] == [8]
    work(trade_desk, "peg", "approve_plan", APPROVED, purchase)
    assert inbox(trade_desk, "pat", purchase) == ["select_supplier"]


def test_r_3_2_2_a_large_purchase_needs_a_leaders_approval_too(trade_desk: Casedesk) -> None:
    purchase = planned(trade_desk, purchase_budget=80000)
    assert data(trade_desk, purchase)["needs_leader"] is True
    work(trade_desk, "peg", "approve_plan", APPROVED, purchase)
    assert inbox(trade_desk, "pat", purchase) == []
    assert inbox(trade_desk, "leo", purchase) == ["leader_approve_plan"]

    work(trade_desk, "leo", "leader_approve_plan",
         {"leader_plan_approved": False, "leader_plan_note": "Lease them instead; buy half."}, purchase)
    assert inbox(trade_desk, "pat", purchase) == ["revise_plan"]
    work(trade_desk, "pat", "revise_plan", {**PLAN, "purchase_budget": 60000}, purchase)
    work(trade_desk, "peg", "approve_plan", APPROVED, purchase)
    work(trade_desk, "leo", "leader_approve_plan", {"leader_plan_approved": True, "leader_plan_note": ""}, purchase)
    assert inbox(trade_desk, "leo", purchase) == []
    assert inbox(trade_desk, "pat", purchase) == ["select_supplier"]
