"""R-3.2.1 Sales, order follow-up: sales follows a signed contract's order (delivery, invoice, payment) until it
is complete, the head of sales coordinates the departments when a problem arises, and once the delivery date
has passed the head of sales is reminded every week until the order is complete."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine.bootstrap import Casedesk
from tests.acceptance.trade_support import (  # noqa: F401 - fixtures
    _mail_server, _sms_server, data, desk, inbox, mailbox, register, sms, start, trade_desk)
from tests.acceptance.test_r_3_2_1_sales_contract import COMPLETE, CONFIRMED, drafted, signing
from tests.support.steps import work

IN_PROGRESS = {**COMPLETE, "goods_delivered": False, "invoice_issued": False, "payment_received": False,
               "follow_up_note": "Chairs in production."}
# The end of 20 November (the delivery date) in Beijing.
DELIVERY_DUE = datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)


def signed_contract(desk: Casedesk) -> str:
    contract = drafted(desk)
    work(desk, "sue", "review_terms", CONFIRMED, contract)
    work(desk, "sam", "sign_contract", signing(desk), contract)
    return contract


def test_r_3_2_1_a_problem_in_the_order_goes_to_the_head_of_sales_to_coordinate(trade_desk: Casedesk) -> None:
    contract = signed_contract(trade_desk)
    work(trade_desk, "sam", "follow_up_order",
         {**IN_PROGRESS, "order_problem": "The warehouse has no loading dock for our truck."}, contract)
    assert inbox(trade_desk, "sam", contract) == []
    assert inbox(trade_desk, "sue", contract) == ["coordinate_order"]

    work(trade_desk, "sue", "coordinate_order",
         {"coordination_note": "Logistics sends two small vans instead."}, contract)
    assert inbox(trade_desk, "sue", contract) == []
    assert inbox(trade_desk, "sam", contract) == ["follow_up_order"]
    done = work(trade_desk, "sam", "follow_up_order", COMPLETE, contract)
    assert done.status == "completed"
    [entry] = register(trade_desk, "sales")
    assert entry.archive_class == "sales"


def test_r_3_2_1_an_order_past_its_delivery_date_is_chased_every_week_until_it_is_complete(
        trade_desk: Casedesk) -> None:
    contract = signed_contract(trade_desk)
    assert data(trade_desk, contract)["signed"]["delivery_due"].startswith("2026-11-20T16:00:00")
    work(trade_desk, "sam", "follow_up_order", IN_PROGRESS, contract)

    trade_desk.clock.set(DELIVERY_DUE - timedelta(minutes=1))
    assert trade_desk.jobs.run_due(worker="test") == 0
    assert inbox(trade_desk, "sue", contract) == []
    trade_desk.clock.set(DELIVERY_DUE)
    assert trade_desk.jobs.run_due(worker="test") == 1
    assert inbox(trade_desk, "sue", contract) == ["chase_overdue_order"]
    assert inbox(trade_desk, "sam", contract) == ["follow_up_order"]  # the order stays with sales
    work(trade_desk, "sue", "chase_overdue_order", {"chase_note": "Called the factory: ships Monday.", "remind_again": True}, contract)

    trade_desk.clock.set(DELIVERY_DUE + timedelta(days=7))
    assert trade_desk.jobs.run_due(worker="test") == 1
    assert inbox(trade_desk, "sue", contract) == ["chase_overdue_order"]  # a week later, again

    done = work(trade_desk, "sam", "follow_up_order", COMPLETE, contract)
    assert done.status == "completed"
    assert inbox(trade_desk, "sue") == []  # the open reminder is withdrawn with the complete order
    trade_desk.clock.set(DELIVERY_DUE + timedelta(days=30))
    assert trade_desk.jobs.run_due(worker="test") == 0  # a complete order is not chased
    assert len(register(trade_desk, "sales")) == 1


def test_r_3_2_1_the_head_of_sales_stops_the_reminders_when_a_new_date_is_agreed(trade_desk: Casedesk) -> None:
    contract = signed_contract(trade_desk)
    trade_desk.clock.set(DELIVERY_DUE)
    assert trade_desk.jobs.run_due(worker="test") == 1
    work(trade_desk, "sue", "chase_overdue_order",
         {"chase_note": "Customer agreed delivery on 15 December.", "remind_again": False}, contract)
    trade_desk.clock.set(DELIVERY_DUE + timedelta(days=8))
    assert trade_desk.jobs.run_due(worker="test") == 0
    assert inbox(trade_desk, "sue", contract) == []
    assert inbox(trade_desk, "sam", contract) == ["follow_up_order"]  # sales still follows the order
    assert work(trade_desk, "sam", "follow_up_order", COMPLETE, contract).status == "completed"
