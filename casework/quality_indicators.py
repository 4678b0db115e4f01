"""Quality assessment (R-4.3): quality indicators per person and department for an appraisal period,
computed from the case projections (instance summaries), the task events of the cases finished in the
period (read by instance, never a scan of every log) and the findings register of the inspections (R-4.2)."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import AbstractSet, Any, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from engine.errors import InvalidInput, N_
from engine.persistence import Database
from engine.runtime.store import EVENTS

from .quality import FINDINGS, finished_cases, handlers_of

QUALITY_OWNER, LEADER, ADMIN = "quality", "leader", "admin"
READERS = frozenset({QUALITY_OWNER, LEADER, ADMIN})
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")
_CHUNK = 500  # instance ids per IN (...) list


def may_see_quality(groups: AbstractSet[str]) -> bool:
    """R-4.3: the quality owner, the company's leaders and administrators see everyone's indicators."""
    return bool(READERS & groups)


@dataclass(frozen=True)
class Period:
    """An appraisal period in the company's time zone: a year `2026`, a quarter `2026-Q1` or a month `2026-01`."""

    label: str
    start: datetime
    end: datetime

    @classmethod
    def parse(cls, text: str, zone: str) -> "Period":
        found = _PERIOD.match(text.strip())
        if not found:
            raise InvalidInput(N_("period '%(period)s': write a month (2026-01), a quarter (2026-Q1) or a year (2026)"),
                               period=text)
        year, month, quarter = int(found[1]), found[2], found[3]
        if month is not None and not 1 <= int(month) <= 12:
            raise InvalidInput(N_("period '%(period)s': there is no month %(month)s"), period=text, month=month)
        if not 2000 <= year <= 2999:
            raise InvalidInput(N_("period '%(period)s': the year must be between 2000 and 2999"), period=text)
        first = int(month) if month else (3 * int(quarter) - 2 if quarter else 1)
        months = 1 if month else (3 if quarter else 12)
        after = first + months
        tz = ZoneInfo(zone)
        start = datetime.combine(date(year, first, 1), time(), tz)
        end = datetime.combine(date(year + (after - 1) // 12, (after - 1) % 12 + 1, 1), time(), tz)
        return cls(text.strip(), start, end)

    @classmethod
    def month_of(cls, moment: datetime, zone: str) -> "Period":
        local = moment.astimezone(ZoneInfo(zone))
        return cls.parse(f"{local.year:04d}-{local.month:02d}", zone)


@dataclass
class Figures:
    """One person's or department's indicators; a rate is None when nothing was there to count."""

    name: str
    cases: int = 0            # cases handled (person) or of the department's business type
    dated_tasks: int = 0      # finished tasks that had a due date
    on_time_tasks: int = 0
    reworked: int = 0         # cases the head sent back to the handler at least once
    rectified: int = 0        # cases the customer was dissatisfied with (rectification, R-2.3.3)
    rated: int = 0            # cases with the customer's view recorded
    satisfied: int = 0
    findings: int = 0         # inspection findings recorded in the period
    open_findings: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.on_time_tasks, self.dated_tasks)

    @property
    def rework_rate(self) -> float | None:
        return self._rate(self.reworked, self.cases)

    @property
    def rectification_rate(self) -> float | None:
        return self._rate(self.rectified, self.cases)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._rate(self.satisfied, self.rated)


@dataclass(frozen=True)
class OpenFinding:
    """A finding whose corrective measure is not yet verified (R-4.2.2), whenever it was recorded."""

    case_number: str
    department: str
    person: str
    check_kind: str
    problem: str
    measure: str
    recorded_at: datetime


@dataclass(frozen=True)
class Indicators:
    period: Period
    people: list[Figures] = field(default_factory=list)
    departments: list[Figures] = field(default_factory=list)
    open_findings: list[OpenFinding] = field(default_factory=list)


@dataclass(frozen=True)
class _Task:
    actor: str | None
    group: str | None
    on_time: bool | None  # None: no due date


def _task_outcomes(conn: Connection, instance_ids: list[str]) -> dict[str, list[_Task]]:
    """Every finished user task of the given cases: who did it, for which group, on time or not."""
    tasks: dict[str, list[_Task]] = defaultdict(list)
    for offset in range(0, len(instance_ids), _CHUNK):
        ready: dict[str, Any] = {}
        rows = conn.execute(select(EVENTS.c.instance_id, EVENTS.c.type, EVENTS.c.task_id, EVENTS.c.actor,
                                   EVENTS.c.at, EVENTS.c.payload)
                            .where(EVENTS.c.instance_id.in_(instance_ids[offset:offset + _CHUNK]),
                                   EVENTS.c.type.in_(("task_ready", "task_done")))
                            .order_by(EVENTS.c.instance_id, EVENTS.c.seq))
        for row in rows:
            if row.task_id is None:
                continue
            if row.type == "task_ready":
                ready[row.task_id] = json.loads(row.payload)
            elif row.task_id in ready:  # a user task (engine tasks are never ready for anyone)
                payload = ready.pop(row.task_id)
                due = payload.get("due_at")
                tasks[row.instance_id].append(_Task(row.actor, payload.get("candidate_group"),
                                                    None if not due else row.at <= datetime.fromisoformat(due)))
    return tasks


def _handler(conn: Connection, instance_ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for offset in range(0, len(instance_ids), _CHUNK):
        found.update(handlers_of(conn, instance_ids[offset:offset + _CHUNK]))
    return found


def compute_indicators(conn: Connection, period: Period) -> Indicators:
    """R-4.3 indicators of every person and department for the cases finished and the findings recorded
    in the period."""
    people: dict[str, Figures] = {}
    departments: dict[str, Figures] = {}

    def person(name: str) -> Figures:
        return people.setdefault(name, Figures(name))

    def department(name: str) -> Figures:
        return departments.setdefault(name, Figures(name))

    cases = finished_cases(conn, period.start, period.end)
    ids = [row.id for row in cases]
    tasks = _task_outcomes(conn, ids)
    handled_by = _handler(conn, ids)
    for row in cases:
        data, completed = json.loads(row.data), json.loads(row.completed)
        dept_name = data.get("department")
        counted: list[Figures] = []
        if handled_by.get(row.id):
            counted.append(person(handled_by[row.id]))
        if dept_name:
            counted.append(department(str(dept_name)))
        for figures in counted:
            figures.cases += 1
            figures.reworked += completed.get("handle_case", 0) > 1
            figures.rectified += completed.get("rectify", 0) > 0
            if data.get("satisfaction") in ("satisfied", "dissatisfied"):
                figures.rated += 1
                figures.satisfied += data["satisfaction"] == "satisfied"
        for task in tasks.get(row.id, []):
            if task.on_time is None:
                continue
            owners = [person(task.actor)] if task.actor else []
            if dept_name and task.group in (dept_name, f"{dept_name}_head"):
                owners.append(department(str(dept_name)))
            for figures in owners:
                figures.dated_tasks += 1
                figures.on_time_tasks += task.on_time
    for finding in conn.execute(select(FINDINGS.c.person, FINDINGS.c.department, FINDINGS.c.status)
                                .where(FINDINGS.c.recorded_at >= period.start, FINDINGS.c.recorded_at < period.end)):
        for figures in (person(finding.person), department(finding.department)):
            figures.findings += 1
            figures.open_findings += finding.status == "open"
    still_open = [OpenFinding(row.case_number, row.department, row.person, row.check_kind, row.problem, row.measure,
                              row.recorded_at)
                  for row in conn.execute(select(FINDINGS).where(FINDINGS.c.status == "open")
                                          .order_by(FINDINGS.c.recorded_at, FINDINGS.c.id))]
    return Indicators(period, sorted(people.values(), key=lambda f: f.name),
                      sorted(departments.values(), key=lambda f: f.name), still_open)


class QualityIndicatorService:
    """Read-only: one transaction per computation."""

    def __init__(self, db: Database):
        self.db = db

    def indicators(self, period: Period) -> Indicators:
        with self.db.unit_of_work(write=False) as session:
            return compute_indicators(session.connection(), period)


CSV_COLUMNS = ("period", "level", "name", "cases", "on_time_rate", "dated_tasks", "on_time_tasks", "rework_rate",
               "reworked", "rectification_rate", "rectified", "satisfaction_rate", "rated", "satisfied",
               "findings", "open_findings")


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.3f}"
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text  # never a spreadsheet formula


def appraisal_rows(indicators: Indicators) -> Iterable[dict[str, Any]]:
    """The appraisal export (R-4.3.1): one row per department, then per person."""
    for level, group in (("department", indicators.departments), ("person", indicators.people)):
        for f in group:
            values = {"period": indicators.period.label, "level": level, "name": f.name, "cases": f.cases,
                      "on_time_rate": f.on_time_rate, "dated_tasks": f.dated_tasks, "on_time_tasks": f.on_time_tasks,
                      "rework_rate": f.rework_rate, "reworked": f.reworked,
                      "rectification_rate": f.rectification_rate, "rectified": f.rectified,
                      "satisfaction_rate": f.satisfaction_rate, "rated": f.rated, "satisfied": f.satisfied,
                      "findings": f.findings, "open_findings": f.open_findings}
            yield {key: _cell(value) for key, value in values.items()}
