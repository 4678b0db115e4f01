"""Training needs analysis (R-7.1): who is surveyed, what they and the interviews say, what the appraisal
results (R-4.3) propose, and the consolidated needs list. Every function works on the step's connection."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select

from engine.runtime.store import GROUPS, INSTANCES, MEMBERSHIPS, USERS

from .quality_indicators import Period, compute_indicators
from .training_models import CareerPlan, TrainingNeed
from engine.errors import N_, RefusedValue, UnknownName

NEEDS = cast(Table, TrainingNeed.__table__)
CAREERS = cast(Table, CareerPlan.__table__)
DEPARTMENTS = ("sales", "procurement", "finance", "general")
PRIORITIES = ("high", "medium", "low")
SOURCES = ("survey", "interview", "appraisal", "career_plan")
# appraisal results that propose training: an on-time rate under this, or at least this many findings.
ON_TIME_FLOOR = 0.8
FINDINGS_CEILING = 2
# What the appraisal proposes is written by the system, not a person: named in both of the staff's languages.
TIMELINESS = "Timely case handling 按時辦理業務"
QUALITY = "Handling to the quality standards 按質量標準辦理業務"
_SKILL_LINES = re.compile(r"[\n;；]+")


def text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RefusedValue(N_("%(field)s must not be empty"), field=name)
    return value.strip()


def one_of(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise RefusedValue(N_("%(field)s must be one of %(allowed)s, not '%(value)s'"), field=name, allowed=list(allowed),
                           value=value)
    return str(value)


def groups_of_users(conn: Connection, names: list[str] | None = None) -> dict[str, set[str]]:
    """Active users (all, or the named ones) with their groups."""
    query = (select(USERS.c.username, GROUPS.c.name)
             .select_from(USERS.join(MEMBERSHIPS, MEMBERSHIPS.c.user_id == USERS.c.id)
                          .join(GROUPS, GROUPS.c.id == MEMBERSHIPS.c.group_id))
             .where(USERS.c.active.is_(True)))
    if names is not None:
        query = query.where(USERS.c.username.in_(names))
    found: dict[str, set[str]] = defaultdict(set)
    for row in conn.execute(query):
        found[row.username].add(row.name)
    return found


def department_of(groups: set[str]) -> str:
    """The department a person works in (as member or head), '' when none."""
    return next((d for d in DEPARTMENTS if d in groups or f"{d}_head" in groups), "")


def require_users(conn: Connection, names: list[str]) -> dict[str, set[str]]:
    found = groups_of_users(conn, names)
    unknown = [name for name in names if name not in found]
    if unknown:
        raise UnknownName(N_("no active user named %(names)s: name people by their user name"),
                          names=[repr(name) for name in unknown])
    return found


def survey_respondents(conn: Connection, departments: list[str]) -> list[dict[str, str]]:
    """R-7.1: everyone in the departments, heads included: one survey each, in their own inbox."""
    for department in departments:
        one_of("department", department, DEPARTMENTS)
    respondents = []
    for person, groups in sorted(groups_of_users(conn).items()):
        for department in departments:
            group = f"{department}_head" if f"{department}_head" in groups else department
            if group in groups:
                respondents.append({"person": person, "group": group, "department": department})
                break
    return sorted(respondents, key=lambda r: (r["department"], r["person"]))


def _add_need(conn: Connection, now: datetime, instance_id: str, person: str, department: str, skill: str,
              priority: str, source: str, note: str) -> dict[str, str]:
    need = {"person": person, "department": department, "skill": skill[:400],
            "priority": one_of("priority", priority, PRIORITIES), "source": one_of("source", source, SOURCES)}
    conn.execute(insert(NEEDS).values(instance_id=instance_id, note=note or "", recorded_at=now, **need))
    return need


def record_survey(conn: Connection, now: datetime, instance_id: str, person: str, department: str, skills: str,
                  priority: str, comment: str) -> list[dict[str, str]]:
    """One survey answer: each skill named (one a line) becomes a need of the person."""
    named = [s.strip() for s in _SKILL_LINES.split(skills or "") if s.strip()]
    return [_add_need(conn, now, instance_id, person, department, skill, priority, "survey", comment)
            for skill in named]


def record_interview(conn: Connection, now: datetime, instance_id: str, person: str, skill: str, priority: str,
                     notes: str) -> dict[str, str]:
    """An interview's finding: the person named must be a user; the need is theirs."""
    person = text("person", person)
    groups = require_users(conn, [person])[person]
    return _add_need(conn, now, instance_id, person, department_of(groups), text("skill", skill), priority,
                     "interview", text("interview notes", notes))


def appraisal_needs(conn: Connection, now: datetime, instance_id: str, zone: str) -> list[dict[str, str]]:
    """R-7.1 with R-4.3: people whose on-time rate over the last twelve months is under the floor, or who
    had several inspection findings, are proposed for training."""
    start, end = now - timedelta(days=365), now + timedelta(seconds=1)  # a case finished this instant counts
    period = Period(f"{start.date().isoformat()}/{now.date().isoformat()}", start, end)
    indicators = compute_indicators(conn, period)
    people = groups_of_users(conn, [f.name for f in indicators.people])
    proposed = []
    for figures in indicators.people:
        rate = figures.on_time_rate
        late = rate is not None and rate < ON_TIME_FLOOR
        flawed = figures.findings >= FINDINGS_CEILING
        if not (late or flawed):
            continue
        reasons, skills = [], []
        if late:
            reasons.append(f"on-time rate {rate:.0%}")
            skills.append(TIMELINESS)
        if flawed:
            reasons.append(f"{figures.findings} inspection findings")
            skills.append(QUALITY)
        severe = (rate is not None and rate < ON_TIME_FLOOR / 2) or figures.findings > FINDINGS_CEILING
        proposed.append(_add_need(conn, now, instance_id, figures.name,
                                  department_of(people.get(figures.name, set())), " / ".join(skills),
                                  "high" if severe else "medium", "appraisal", "; ".join(reasons)))
    return proposed


def consolidated_needs(conn: Connection, instance_id: str) -> list[dict[str, Any]]:
    """The round's needs by skill: the highest priority any source gave, who needs it, from which sources;
    most urgent and most wanted first."""
    grouped: dict[str, dict[str, Any]] = {}
    rows = conn.execute(select(NEEDS).where(NEEDS.c.instance_id == instance_id).order_by(NEEDS.c.id))
    for row in rows:
        key = " ".join(row.skill.lower().split())
        entry = grouped.setdefault(key, {"skill": row.skill, "priority": row.priority, "people": [],
                                         "departments": [], "sources": []})
        if PRIORITIES.index(row.priority) < PRIORITIES.index(entry["priority"]):
            entry["priority"] = row.priority
        for field, value in (("people", row.person), ("departments", row.department), ("sources", row.source)):
            if value and value not in entry[field]:
                entry[field].append(value)
    return sorted(grouped.values(), key=lambda e: (PRIORITIES.index(e["priority"]), -len(e["people"]), e["skill"]))


def career_plan_needs(conn: Connection, now: datetime, instance_id: str) -> list[dict[str, str]]:
    """R-7.4.2 into R-7.1: the trainings that the career plans in force name become needs of their people."""
    needs = []
    plans = conn.execute(select(CAREERS.c.number, CAREERS.c.person, CAREERS.c.planned_trainings)
                         .where(CAREERS.c.status == "active").order_by(CAREERS.c.number))
    for plan in list(plans):
        department = department_of(groups_of_users(conn, [plan.person]).get(plan.person, set()))
        for skill in (s.strip() for s in _SKILL_LINES.split(plan.planned_trainings or "")):
            if skill:
                needs.append(_add_need(conn, now, instance_id, plan.person, department, skill, "medium",
                                       "career_plan", plan.number))
    return needs


def latest_needs(conn: Connection) -> list[dict[str, Any]]:
    """R-7.1 into R-7.2: the needs list of the latest finished needs analysis (empty when none has finished)."""
    latest = conn.execute(select(NEEDS.c.instance_id)
                          .select_from(NEEDS.join(INSTANCES, INSTANCES.c.id == NEEDS.c.instance_id))
                          .where(INSTANCES.c.status == "completed")
                          .order_by(INSTANCES.c.completed_at.desc(), NEEDS.c.id.desc()).limit(1)).scalar()
    return consolidated_needs(conn, latest) if latest else []
