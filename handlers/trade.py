"""Handlers of the sales contract (R-3.2.1) and procurement (R-3.2.2) processes.

Each works through the step's connection, so a number taken or an archive filed commits or rolls back
with the step; a value a person must correct raises InvalidInput and nothing of the step is kept."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from casework import trade
from engine.clock import isoformat
from engine.errors import InvalidInput, N_, RefusedType

from .context import Handler, HandlerContext

# What a sales contract's review must have confirmed before it is cleared for signing, as the refusal
# names them; the page words them in its language.
TERMS_CHECKED = {"lawful": N_("lawful terms"), "reasonable": N_("reasonable terms"), "clear": N_("clear terms")}


def _connection(ctx: HandlerContext) -> Connection:
    if ctx.connection is None:
        raise RuntimeError(f"{ctx.task_spec}: trade handlers write through the step's connection; none was given")
    return ctx.connection


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise RefusedType(N_("%(field)s must be true or false"), field=name)
    return value


def _money(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise InvalidInput(N_("%(field)s must be an amount above 0"), {name: ["above 0"]}, field=name)
    return float(value)


# -- sales contract (R-3.2.1) -----------------------------------------------------------------------

def number_sales_contract(ctx: HandlerContext) -> dict[str, Any]:
    """The drafted contract's number, kept through every amendment."""
    return {"contract_number": trade.trade_number(_connection(ctx), "sales_contract", ctx.now),
            "registered_at": isoformat(ctx.now)}


def make_clear_sales_contract(time_zone: str) -> Handler:
    zone = ZoneInfo(time_zone)

    def clear_sales_contract(ctx: HandlerContext, contract_number: str, terms_lawful: bool, terms_reasonable: bool,
                             terms_clear: bool, needs_finance: bool, finance_approved: bool, needs_leader: bool,
                             leader_approved: bool) -> dict[str, Any]:
        """R-3.2.1: the contract may be signed only when its terms were confirmed lawful, reasonable and clear
        and every approval the amount asks for was given; the day it was cleared bounds the signing date."""
        checklist = {"lawful": terms_lawful, "reasonable": terms_reasonable, "clear": terms_clear}
        missing = [TERMS_CHECKED[name] for name, value in checklist.items() if not _flag(value, f"terms_{name}")]
        if _flag(needs_finance, "needs_finance") and not _flag(finance_approved, "finance_approved"):
            missing.append(N_("finance review"))
        if _flag(needs_leader, "needs_leader") and not _flag(leader_approved, "leader_approved"):
            missing.append(N_("leader approval"))
        if missing:
            raise InvalidInput(N_("contract %(contract)s is not cleared for signing: %(missing)s missing"),
                               contract=contract_number, missing=missing)
        approvals = ["sales_head"] + (["finance_head"] if needs_finance else []) + (["leader"] if needs_leader else [])
        return {"contract_number": contract_number, "cleared_at": isoformat(ctx.now),
                "cleared_on": ctx.now.astimezone(zone).date().isoformat(), "approvals": approvals}

    return clear_sales_contract


def make_record_sales_signing(time_zone: str, reminder_every: str = "P7D") -> Handler:
    zone = ZoneInfo(time_zone)

    def record_sales_signing(ctx: HandlerContext, contract_number: str, signing_date: str, cleared_on: str,
                             delivery_date: str) -> dict[str, Any]:
        """R-3.2.1: the signing date lies between the day the terms were cleared and today; the order is due
        at the end of the delivery date (company time), reminded from then on until it is complete."""
        signed = trade.parse_date(signing_date, "signing_date")
        if signed < trade.parse_date(cleared_on, "cleared_on"):
            raise InvalidInput(N_("contract %(contract)s was cleared for signing on %(cleared)s; it cannot have been "
                                  "signed on %(signed)s, before its review"), {"signing_date": ["before the review"]},
                               contract=contract_number, cleared=cleared_on, signed=signed.isoformat())
        if signed > ctx.now.astimezone(zone).date():
            raise InvalidInput(N_("%(signed)s is in the future: record the signing once it happened"),
                               {"signing_date": ["in the future"]}, signed=signed.isoformat())
        delivery = trade.parse_date(delivery_date, "delivery_date")
        due = datetime.combine(delivery + timedelta(days=1), time(0, 0), zone).astimezone(timezone.utc)
        return {"contract_number": contract_number, "signed_on": signed.isoformat(), "delivery_due": isoformat(due),
                "reminder_cycle": f"R/{isoformat(due)}/{reminder_every}"}

    return record_sales_signing


# -- procurement (R-3.2.2) --------------------------------------------------------------------------

def number_purchase(ctx: HandlerContext) -> dict[str, Any]:
    return {"purchase_number": trade.trade_number(_connection(ctx), "purchase", ctx.now),
            "registered_at": isoformat(ctx.now)}


def record_purchase_plan(ctx: HandlerContext, purchase_number: str, items: str, budget: float,
                         needed_by: str) -> dict[str, Any]:
    """R-3.2.2: the plan's items (one `name | specification | quantity` per line), budget and date needed."""
    return {"purchase_number": purchase_number, "items": trade.parse_items(items, "purchase_items"),
            "budget": _money(budget, "purchase_budget"),
            "needed_by": trade.parse_date(needed_by, "needed_by").isoformat()}


def record_supplier_selection(ctx: HandlerContext, quotes: str, chosen_supplier: str, reason: str,
                              min_quotes: int, budget: float) -> dict[str, Any]:
    """R-3.2.2: at least `min_quotes` quotes (purchase_approval.dmn), the chosen supplier among them, a reason."""
    return trade.choose_supplier(trade.parse_quotes(quotes, "supplier_quotes"), chosen_supplier, reason,
                                 int(min_quotes), float(budget))


def record_purchase_contract(ctx: HandlerContext, items: str, price: float, budget: float,
                             delivery_date: str) -> dict[str, Any]:
    """R-3.2.2: the negotiated contract, its items the acceptance is checked against, within the budget."""
    agreed = _money(price, "contract_price")
    if agreed > float(budget):
        raise InvalidInput(N_("the negotiated price (%(price)s) exceeds the approved budget (%(budget)s)"),
                           {"contract_price": ["over budget"]}, price=f"{agreed:g}", budget=f"{float(budget):g}")
    return {"items": trade.parse_items(items, "contract_items"), "price": agreed,
            "delivery_date": trade.parse_date(delivery_date, "contract_delivery_date").isoformat()}


def check_contract_item(ctx: HandlerContext, item: dict[str, Any], quantity_received: int,
                        specification_matches: bool, quality_matches: bool, remark: str) -> dict[str, Any]:
    if isinstance(quantity_received, bool) or not isinstance(quantity_received, int) or quantity_received < 0:
        raise InvalidInput(N_("the quantity received is a whole number"), {"quantity_received": ["whole number"]})
    return trade.check_item(item, quantity_received, _flag(specification_matches, "specification_matches"),
                            _flag(quality_matches, "quality_matches"), remark)


def conclude_acceptance(ctx: HandlerContext, items: list[dict[str, Any]],
                        checks: list[dict[str, Any]]) -> dict[str, Any]:
    return {**trade.conclude_acceptance(items, checks), "concluded_at": isoformat(ctx.now)}


# -- both -------------------------------------------------------------------------------------------

def file_trade_archive(ctx: HandlerContext, business_type: str, title: str, records: dict[str, Any]) -> dict[str, Any]:
    """R-6.1, R-6.2: the contract's or purchase's records as one complete archive of its class."""
    number, items = trade.file_trade_records(_connection(ctx), ctx.now, business_type, title, records,
                                             ctx.instance_id)
    return {"archive_number": number, "items": items}
