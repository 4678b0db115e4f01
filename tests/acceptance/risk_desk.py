"""Acceptance plumbing for R-5: the case and risk areas deployed on the case desk (real notice servers),
the demo organisation, and risk steps worked from each person's own inbox, cold from storage."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from casework.risk_models import Risk, RiskWarning
from engine.bootstrap import Casedesk
from tests.support.steps import deploy_area, objects, run_due_at, task


def deploy_risk(desk: Casedesk, *diagrams: str) -> Casedesk:
    """The risk area, or only the named diagrams of it (so that a quarter's worth of daily checks
    does not run in a test about the quarterly round)."""
    return deploy_area(desk, "risk", *diagrams)


def start_round(desk: Casedesk) -> str:
    """The quarterly timer (R-5.1): nothing before 5 April 09:00 Beijing time, one round at it."""
    assert run_due_at(desk, datetime(2026, 4, 5, 0, 59, tzinfo=timezone.utc)) == 0
    assert run_due_at(desk, datetime(2026, 4, 5, 1, 0, tzinfo=timezone.utc)) == 1
    return task(desk, "rex", "identify_risk").instance_id


def risks(desk: Casedesk) -> list[Risk]:
    return objects(desk, select(Risk).order_by(Risk.id))


def warnings(desk: Casedesk) -> list[RiskWarning]:
    return objects(desk, select(RiskWarning).order_by(RiskWarning.number))


IDENTIFIED = {"risk_category": "credit", "risk_title": "Large customer pays late 大客戶逾期付款",
              "risk_description": "Three invoices overdue by 60 days. 三張發票逾期60天。", "existing_risk": "",
              "more_risks": False}
ASSESSED = {"risk_level": "high", "risk_impact": "severe", "assessment_note": "20% of receivables. 佔應收賬款20%。"}
PLANNED = {"risk_response": "reduce", "response_measures": "Cash on delivery until paid. 付清前貨到付款。",
           "responsible_department": "finance", "responsible_person": "fred"}
