"""Acceptance plumbing for R-3.2.3: the finance and risk areas deployed on the case desk, the monthly
timer fired, and the review worked from each person's own inbox, cold from storage."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from engine.bootstrap import Casedesk
from tests.support.steps import deploy_area, run_due_at


def deploy_finance(desk: Casedesk) -> Casedesk:
    """The finance review and, for the warnings it raises, the risk warning process (not the daily checks)."""
    deploy_area(desk, "finance")
    return deploy_area(desk, "risk", "risk_warning")


def monthly_timer(desk: Casedesk, month: int) -> int:
    """The third of `month` 2026, 09:00 Beijing time: returns how many jobs ran."""
    return run_due_at(desk, datetime(2026, month, 3, 1, 0, tzinfo=timezone.utc))


def figures(receivables: float = 1_200_000, overdue: float = 60_000, payables: float = 800_000,
            payables_overdue: float = 0, **changes: Any) -> dict[str, Any]:
    """What the finance clerk enters: the month's books, reports, receipts and payments (month-end
    `receivables` of which `overdue`, split as the form asks), risk analysis."""
    data: dict[str, Any] = {
        "books_closed": True, "bookkeeping_note": "",
        "balance_sheet": "Assets 5.2m, liabilities 2.1m, equity 3.1m. 資產520萬，負債210萬，所有者權益310萬。",
        "income_statement": "Revenue 1.8m, costs 1.5m, profit 0.3m. 收入180萬，成本150萬，利潤30萬。",
        "receivables_not_due": receivables - overdue, "receivables_overdue": overdue,
        "payables_not_due": payables - payables_overdue, "payables_overdue": payables_overdue,
        "overdue_items": "Huaxin Trading 60,000, 45 days, reminder sent. 華信貿易6萬元，逾期45天，已催收。",
        "risk_analysis": "Liquidity sound; one customer slow to pay. 流動性良好；一家客戶付款較慢。",
    }
    data.update(changes)
    return data
