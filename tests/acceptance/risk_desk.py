"""Acceptance plumbing for R-5: the case and risk areas deployed on the case desk (real notice servers),
the demo organisation, and risk steps worked from each person's own inbox, cold from storage."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from casework.risk_models import Risk, RiskWarning
from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.runtime.service import InstanceView
from engine.runtime.store import TaskView

RISK_PROCESSES = PROJECT_ROOT / "processes" / "risk"
FORMS = PROJECT_ROOT / "forms"


def deploy_risk(desk: Casedesk, *diagrams: str) -> Casedesk:
    """The risk area, or only the named diagrams of it (so that a quarter's worth of daily checks
    does not run in a test about the quarterly round)."""
    files = collect_files(RISK_PROCESSES, FORMS)
    if diagrams:
        files = {name: content for name, content in files.items()
                 if not name.endswith((".bpmn", ".i18n.json")) or name.split(".")[0] in diagrams}
    desk.definitions.deploy(files, "owen")
    return desk


def start_round(desk: Casedesk) -> str:
    """The quarterly timer (R-5.1): nothing before 5 April 09:00 Beijing time, one round at it."""
    desk.clock.set(datetime(2026, 4, 5, 0, 59, tzinfo=timezone.utc))
    assert desk.jobs.run_due(worker="test") == 0
    desk.clock.set(datetime(2026, 4, 5, 1, 0, tzinfo=timezone.utc))
    assert desk.jobs.run_due(worker="test") == 1
    return task(desk, "rex", "identify_risk").instance_id


def task(desk: Casedesk, user: str, spec: str, instance_id: str | None = None) -> TaskView:
    found = [t for t in desk.runtime.list_tasks(user=user, instance_id=instance_id) if t.task_spec == spec]
    assert len(found) == 1, f"{user} has {[t.task_spec for t in desk.runtime.list_tasks(user=user)]}, not one {spec}"
    return found[0]


def work(desk: Casedesk, user: str, spec: str, data: dict[str, Any], instance_id: str | None = None) -> InstanceView:
    """Complete the task from the user's inbox after dropping the warm workflows (a cold round trip)."""
    found = task(desk, user, spec, instance_id)
    desk.runtime.warm.clear()
    return desk.runtime.complete_task(found.id, data, actor=user)


def risks(desk: Casedesk) -> list[Risk]:
    with desk.db.unit_of_work(write=False) as session:
        return list(session.scalars(select(Risk).order_by(Risk.id)))


def warnings(desk: Casedesk) -> list[RiskWarning]:
    with desk.db.unit_of_work(write=False) as session:
        return list(session.scalars(select(RiskWarning).order_by(RiskWarning.number)))


IDENTIFIED = {"risk_category": "credit", "risk_title": "Large customer pays late 大客戶逾期付款",
              "risk_description": "Three invoices overdue by 60 days. 三張發票逾期60天。", "existing_risk": "",
              "more_risks": False}
ASSESSED = {"risk_level": "high", "risk_impact": "severe", "assessment_note": "20% of receivables. 佔應收賬款20%。"}
PLANNED = {"risk_response": "reduce", "response_measures": "Cash on delivery until paid. 付清前貨到付款。",
           "responsible_department": "finance", "responsible_person": "fred"}
