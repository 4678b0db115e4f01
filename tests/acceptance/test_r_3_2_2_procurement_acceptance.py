"""R-3.2.2 Procurement, acceptance inspection strictly against the contract: every contract item is checked
(quantity, specification, quality); any mismatch sends the delivery back to the supplier, who delivers again
until it passes, or the purchase is cancelled; either way the purchase is filed in the procurement archive."""
from __future__ import annotations

import pytest

from engine.bootstrap import Casedesk
from engine.errors import InvalidInput
from tests.acceptance.test_r_3_2_2_procurement import contracted
from tests.acceptance.trade_support import (  # noqa: F401 - fixtures
    _mail_server, _sms_server, data, desk, filed_records, inbox, mailbox, register, sms, trade_desk)
from tests.support.steps import work

RECEIVED = {"received_on": "2026-11-24", "delivery_note_number": "DN-5531", "delivery_documents": []}
LAPTOPS_OK = {"quantity_received": 10, "specification_matches": True, "quality_matches": True, "inspection_remark": ""}
DOCKS_OK = dict(LAPTOPS_OK)


def inspect(desk: Casedesk, purchase: str, *checks: dict[str, object]) -> None:
    for check in checks:
        work(desk, "pat", "inspect_item", check, purchase)


def test_r_3_2_2_each_contract_item_is_inspected_and_matching_goods_are_accepted_and_filed(
        trade_desk: Casedesk) -> None:
    purchase = contracted(trade_desk)
    work(trade_desk, "pat", "receive_goods", RECEIVED, purchase)
    assert data(trade_desk, purchase)["current_item"]["name"] == "Laptop"  # the contract's first item
    work(trade_desk, "pat", "inspect_item", LAPTOPS_OK, purchase)
    assert data(trade_desk, purchase)["current_item"]["name"] == "Docking station"
    assert inbox(trade_desk, "pat", purchase) == ["inspect_item"]
    assert register(trade_desk, "procurement") == []  # not accepted before every item is checked

    done = work(trade_desk, "pat", "inspect_item", DOCKS_OK, purchase)
    assert done.status == "completed"
    [entry] = register(trade_desk, "procurement")
    assert (entry.number, entry.archive_class, entry.status) == ("DA-CG-2026-000001", "procurement", "complete")
    assert "CG-2026-0001" in entry.title and "(accepted)" in entry.title
    records = filed_records(trade_desk, entry.number)
    assert sorted(records) == ["acceptance", "contract", "plan", "supplier"]
    assert records["acceptance"]["outcome"] == "accepted"
    assert [r["passed"] for r in records["acceptance"]["rounds"]] == [True]
    assert records["supplier"]["supplier"] == "Acme Computers" and len(records["supplier"]["quotes"]) == 3
    assert records["plan"]["approved_by"] == ["procurement_head"]
    assert register(trade_desk, "sales") == []
    documents = trade_desk.archives.register_record(entry.number, "ann").documents
    assert [(d.variable, d.name) for d in documents] == [("purchase_contract_documents", "ACME-2026-117.pdf")]


def test_r_3_2_2_a_short_delivery_goes_back_to_the_supplier_until_it_matches_the_contract(
        trade_desk: Casedesk) -> None:
    purchase = contracted(trade_desk)
    work(trade_desk, "pat", "receive_goods", RECEIVED, purchase)
    # The inspector ticks everything, but 9 laptops are not the contract's 10: it does not pass.
    inspect(trade_desk, purchase, {**LAPTOPS_OK, "quantity_received": 9, "inspection_remark": "One missing."},
            DOCKS_OK)
    acceptance = data(trade_desk, purchase)["acceptance"]
    assert acceptance["passed"] is False
    assert acceptance["mismatches"] == [{"name": "Laptop", "problems": ["quantity 9, contract 10"],
                                         "remark": "One missing."}]
    assert inbox(trade_desk, "pat", purchase) == []
    assert inbox(trade_desk, "peg", purchase) == ["return_to_supplier"]
    assert register(trade_desk, "procurement") == []

    work(trade_desk, "peg", "return_to_supplier",
         {"supplier_outcome": "redeliver", "return_note": "Acme sends the full ten by Friday."}, purchase)
    assert inbox(trade_desk, "pat", purchase) == ["receive_goods"]
    work(trade_desk, "pat", "receive_goods", {"received_on": "2026-11-27", "delivery_note_number": "DN-5560", "delivery_documents": []},
         purchase)
    assert data(trade_desk, purchase)["current_item"]["name"] == "Laptop"  # inspected from the start again
    done = work(trade_desk, "pat", "inspect_item", LAPTOPS_OK, purchase)
    assert done.status == "running"
    done = work(trade_desk, "pat", "inspect_item", DOCKS_OK, purchase)
    assert done.status == "completed"
    [entry] = register(trade_desk, "procurement")
    rounds = filed_records(trade_desk, entry.number)["acceptance"]["rounds"]
    assert [r["passed"] for r in rounds] == [False, True]


def test_r_3_2_2_wrong_specification_or_quality_needs_a_remark_and_fails_the_acceptance(
        trade_desk: Casedesk) -> None:
    purchase = contracted(trade_desk)
    work(trade_desk, "pat", "receive_goods", RECEIVED, purchase)
    with pytest.raises(InvalidInput):  # what does not match must be described
        work(trade_desk, "pat", "inspect_item", {**LAPTOPS_OK, "specification_matches": False}, purchase)
    inspect(trade_desk, purchase, {**LAPTOPS_OK, "specification_matches": False, "inspection_remark": "8 GB only."},
            {**DOCKS_OK, "quality_matches": False, "inspection_remark": "Scratched casings."})
    mismatches = data(trade_desk, purchase)["acceptance"]["mismatches"]
    assert [(m["name"], m["problems"]) for m in mismatches] == [
        ("Laptop", ["specification does not match the contract"]),
        ("Docking station", ["quality does not meet the contract"])]
    assert inbox(trade_desk, "peg", purchase) == ["return_to_supplier"]


def test_r_3_2_2_a_purchase_the_supplier_cannot_deliver_to_the_contract_is_cancelled_and_filed(
        trade_desk: Casedesk) -> None:
    purchase = contracted(trade_desk)
    work(trade_desk, "pat", "receive_goods", RECEIVED, purchase)
    inspect(trade_desk, purchase, {**LAPTOPS_OK, "quality_matches": False, "inspection_remark": "Used, not new."},
            DOCKS_OK)
    done = work(trade_desk, "peg", "return_to_supplier",
                {"supplier_outcome": "cancel", "return_note": "Acme has no new stock; contract cancelled."}, purchase)
    assert done.status == "completed"
    assert inbox(trade_desk, "pat", purchase) == []
    [entry] = register(trade_desk, "procurement")
    assert entry.archive_class == "procurement" and "(cancelled)" in entry.title
    records = filed_records(trade_desk, entry.number)
    assert records["acceptance"]["outcome"] == "cancelled"
