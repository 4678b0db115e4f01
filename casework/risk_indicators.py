"""Risk monitoring and early warning (R-5.3): indicators, their thresholds, and one warning per crossing.

An indicator is `normal` until its value reaches the threshold; then one warning is raised and the
indicator stays in `warning` — later checks above the threshold raise nothing more — until a value
under the threshold arms it again. Computed indicators read the projections every step keeps
(`human_task`, `instance_summary`), never the event logs.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, select, update

from casework.numbering import next_number
from casework.risk_models import RiskIndicator, RiskReading, RiskWarning
from engine.models import InstanceSummary
from engine.runtime.store import DEFINITIONS, HUMAN_TASKS, INSTANCES
from engine.errors import N_, RefusedValue, UnknownName

INDICATORS = cast(Table, RiskIndicator.__table__)
READINGS = cast(Table, RiskReading.__table__)
WARNINGS = cast(Table, RiskWarning.__table__)
SUMMARIES = cast(Table, InstanceSummary.__table__)
CASE_PROCESS = "business_case"
RECTIFICATION_TASKS = ("rectify", "inform_customer", "verify_rectification")


@dataclass(frozen=True)
class IndicatorDefinition:
    code: str
    name: str
    source: str  # computed | entered
    threshold: float
    responsible_department: str
    responsible_person: str
    alert_email: str


# The thresholds the register starts with; the rows in `risk_indicator` are what the checks read.
DEFAULT_INDICATORS = (
    IndicatorDefinition("overdue_rate", "Share of open cases overdue", "computed", 0.2,
                        "general", "gil", "gil@example.com"),
    IndicatorDefinition("dissatisfaction_rate", "Share of feedback dissatisfied", "computed", 0.1,
                        "general", "gil", "gil@example.com"),
    IndicatorDefinition("open_rectifications", "Cases in rectification", "computed", 5,
                        "general", "gil", "gil@example.com"),
    IndicatorDefinition("overdue_receivables", "Share of receivables overdue", "entered", 0.15,
                        "finance", "fred", "fred@example.com"),
    IndicatorDefinition("market_price_change", "Change of the main purchase prices", "entered", 0.1,
                        "procurement", "peg", "peg@example.com"),
)
ENTERED = tuple(d.code for d in DEFAULT_INDICATORS if d.source == "entered")
# The alert e-mail names the indicator in both languages (R-5.3: the responsible people read Chinese).
NAMES_ZH = {"overdue_rate": "案件逾期率", "dissatisfaction_rate": "客戶不滿意率", "open_rectifications": "未完成整改數",
            "overdue_receivables": "逾期應收賬款比例", "market_price_change": "主要採購價格變動"}


def ensure_indicators(conn: Connection) -> None:
    """Add the default indicators that are not in the table yet; thresholds already there stay as set."""
    present = set(conn.execute(select(INDICATORS.c.code)).scalars())
    missing = [d for d in DEFAULT_INDICATORS if d.code not in present]
    if missing:
        conn.execute(insert(INDICATORS), [{**d.__dict__, "state": "normal"} for d in missing])


def set_threshold(conn: Connection, now: datetime, code: str, threshold: float, user: str) -> None:
    """A new warning threshold; the next check or reading compares with it (and arms or raises accordingly)."""
    ensure_indicators(conn)
    if not math.isfinite(threshold) or not 0 < threshold < 1e9:
        raise RefusedValue(N_("a threshold is a number above 0"))
    changed = conn.execute(update(INDICATORS).where(INDICATORS.c.code == code).values(
        threshold=threshold, threshold_set_by=user, threshold_set_at=now)).rowcount
    if not changed:
        raise UnknownName(N_("no risk indicator '%(code)s'"), code=code)


def _case_instances() -> Any:
    return (select(INSTANCES.c.id).join(DEFINITIONS, DEFINITIONS.c.id == INSTANCES.c.definition_id)
            .where(DEFINITIONS.c.key == CASE_PROCESS))


def overdue_rate(conn: Connection, now: datetime) -> float:
    """Running cases with at least one overdue task, over running cases (the tracker's overdue flag, R-2.2.3)."""
    running = _case_instances().where(INSTANCES.c.status == "running")
    total = conn.execute(select(func.count()).select_from(running.subquery())).scalar_one()
    overdue = conn.execute(select(func.count(func.distinct(HUMAN_TASKS.c.instance_id)))
                           .where(HUMAN_TASKS.c.instance_id.in_(running), HUMAN_TASKS.c.due_at < now)).scalar_one()
    return overdue / total if total else 0.0


def dissatisfaction_rate(conn: Connection) -> float:
    """Cases whose customer said `dissatisfied` at feedback (R-2.3.2), over cases with feedback recorded."""
    rows = conn.execute(select(SUMMARIES.c.data).where(SUMMARIES.c.instance_id.in_(_case_instances())))
    answers = [json.loads(data).get("satisfaction") for (data,) in rows]
    given = [a for a in answers if a in ("satisfied", "dissatisfied")]
    return sum(a == "dissatisfied" for a in given) / len(given) if given else 0.0


def open_rectifications(conn: Connection) -> float:
    """Running cases with a rectification task waiting (R-2.3.3)."""
    running = _case_instances().where(INSTANCES.c.status == "running")
    return float(conn.execute(select(func.count(func.distinct(HUMAN_TASKS.c.instance_id))).where(
        HUMAN_TASKS.c.instance_id.in_(running), HUMAN_TASKS.c.task_spec.in_(RECTIFICATION_TASKS))).scalar_one())


def computed_values(conn: Connection, now: datetime) -> dict[str, float]:
    return {"overdue_rate": round(overdue_rate(conn, now), 4),
            "dissatisfaction_rate": round(dissatisfaction_rate(conn), 4),
            "open_rectifications": open_rectifications(conn)}


def evaluate(conn: Connection, now: datetime, code: str, value: float, instance_id: str) -> dict[str, Any] | None:
    """Compare one value with its threshold; a new crossing raises a warning and returns it (else None)."""
    row = conn.execute(select(INDICATORS).where(INDICATORS.c.code == code).with_for_update()).first()
    if row is None:
        raise UnknownName(N_("no risk indicator '%(code)s'"), code=code)
    reached = value >= row.threshold
    state = "warning" if reached else "normal"
    conn.execute(update(INDICATORS).where(INDICATORS.c.code == code)
                 .values(state=state, last_value=value, last_checked_at=now))
    if not reached or row.state == "warning":
        return None
    number = f"YJ-{now.year}-{next_number(conn, 'risk_warning', str(now.year)):04d}"
    conn.execute(insert(WARNINGS).values(
        number=number, indicator=code, value=value, threshold=row.threshold,
        responsible_department=row.responsible_department, responsible_person=row.responsible_person,
        status="raised", measures="", verification="", raised_at=now, raised_by_instance=instance_id))
    return {"warning_number": number, "indicator": code, "indicator_name": row.name, "value": value,
            "threshold": row.threshold, "responsible_department": row.responsible_department,
            "responsible_person": row.responsible_person, "alert_email": row.alert_email}


def check_computed(conn: Connection, now: datetime, instance_id: str) -> list[dict[str, Any]]:
    """The periodic check: every computed indicator evaluated; the new crossings, in code order."""
    ensure_indicators(conn)
    values = computed_values(conn, now)
    crossings = [evaluate(conn, now, code, value, instance_id) for code, value in sorted(values.items())]
    return [c for c in crossings if c is not None]


def record_reading(conn: Connection, now: datetime, code: str, value: float, note: str,
                   instance_id: str) -> dict[str, Any] | None:
    """An entered indicator's value, kept and evaluated at once."""
    ensure_indicators(conn)
    if code not in ENTERED:
        raise RefusedValue(N_("'%(code)s' is not an indicator entered by hand; expected one of %(entered)s"), code=code,
                           entered=list(ENTERED))
    conn.execute(insert(READINGS).values(indicator=code, value=value, note=note or "", instance_id=instance_id,
                                         entered_at=now))
    return evaluate(conn, now, code, value, instance_id)


def _warning_status(conn: Connection, number: str) -> str:
    status = conn.execute(select(WARNINGS.c.status).where(WARNINGS.c.number == number)).scalar_one_or_none()
    if status is None:
        raise UnknownName(N_("no risk warning %(number)s"), number=number)
    return str(status)


def mark_alerted(conn: Connection, number: str, instance_id: str) -> None:
    _warning_status(conn, number)
    conn.execute(update(WARNINGS).where(WARNINGS.c.number == number)
                 .values(status="alerted", warning_instance=instance_id))


def record_measures(conn: Connection, number: str, measures: str) -> None:
    if _warning_status(conn, number) == "closed":
        raise RefusedValue(N_("risk warning %(number)s is closed"), number=number)
    if not measures.strip():
        raise RefusedValue(N_("the measures taken must not be empty"))
    conn.execute(update(WARNINGS).where(WARNINGS.c.number == number)
                 .values(status="measures_taken", measures=measures.strip()))


def record_verification(conn: Connection, now: datetime, number: str, effective: bool, verification: str) -> str:
    """The risk owner's verification: effective closes the warning, otherwise the measures go on."""
    if _warning_status(conn, number) != "measures_taken":
        raise RefusedValue(N_("risk warning %(number)s has no measures to verify"), number=number)
    status = "closed" if effective else "alerted"
    conn.execute(update(WARNINGS).where(WARNINGS.c.number == number).values(
        status=status, verification=verification or "", closed_at=now if effective else None))
    return status


def open_warnings(conn: Connection) -> list[Any]:
    return list(conn.execute(select(WARNINGS).where(WARNINGS.c.status != "closed")
                             .order_by(WARNINGS.c.raised_at, WARNINGS.c.number)))


def indicators(conn: Connection) -> list[Any]:
    return list(conn.execute(select(INDICATORS).order_by(INDICATORS.c.source, INDICATORS.c.code)))
