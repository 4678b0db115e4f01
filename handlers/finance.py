"""Finance review handlers (R-3.2.3): the month under review, the figures checked, the approved report filed.

The reading the review gives the risk indicator "share of receivables overdue" goes through the risk
handler `record_risk_reading` (R-5.3) itself; nothing of the risk machinery is repeated here."""
from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from casework.archive_closing import file_complete_archive
from casework.archive_register import archive_class

from .context import Handler, HandlerContext
from engine.errors import N_, RefusedValue

ARCHIVE_CLASS = "finance"


def make_finance_review_period(time_zone: str) -> Handler:
    """The `finance_review_period` handler: the calendar month before the timer fired, in the company's zone."""
    zone = ZoneInfo(time_zone)

    def finance_review_period(ctx: HandlerContext) -> dict[str, Any]:
        now = ctx.now if ctx.now.tzinfo is not None else ctx.now.replace(tzinfo=timezone.utc)
        last_day = now.astimezone(zone).date().replace(day=1) - timedelta(days=1)
        period = f"{last_day.year:04d}-{last_day.month:02d}"
        return {"period": period, "first_day": last_day.replace(day=1).isoformat(), "last_day": last_day.isoformat(),
                "title": f"Finance review 財務檢查 {period}"}

    return finance_review_period


def check_finance_figures(ctx: HandlerContext, receivables_not_due: float, receivables_overdue: float,
                          payables_not_due: float, payables_overdue: float) -> dict[str, Any]:
    """R-3.2.3 timely receipts and payments: the month-end balances and the shares of them overdue.

    The form asks for the part not yet due and the part overdue, so the overdue part can never exceed the
    whole; a negative or non-numeric amount (only possible past the form) is refused."""
    amounts = {"receivables_not_due": receivables_not_due, "receivables_overdue": receivables_overdue,
               "payables_not_due": payables_not_due, "payables_overdue": payables_overdue}
    for name, value in amounts.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise RefusedValue(N_("%(field)s must be an amount of 0 or more"), field=name)
    receivables = round(receivables_not_due + receivables_overdue, 2)
    payables = round(payables_not_due + payables_overdue, 2)
    return {"receivables_total": receivables, "payables_total": payables,
            "overdue_receivables_ratio": _share(receivables_overdue, receivables),
            "overdue_payables_ratio": _share(payables_overdue, payables)}


def file_finance_review(ctx: HandlerContext, title: str, records: dict[str, Any]) -> dict[str, Any]:
    """R-6.1, R-6.2: the approved review report, one complete archive in the finance class."""
    number, items = file_complete_archive(_connection(ctx), ctx.now, archive_class(ARCHIVE_CLASS), title, records,
                                          ctx.instance_id)
    return {"archive_number": number, "items": items}


def _share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def _connection(ctx: HandlerContext) -> Connection:
    if ctx.connection is None:
        raise RuntimeError("the finance review files through the step's connection; none was given")
    return ctx.connection
