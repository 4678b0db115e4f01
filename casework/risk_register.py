"""The risk register (R-5.1, R-5.2): each step of a `risk_assessment` round writes it in the step's transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, update

from casework.numbering import next_number
from casework.risk_models import Risk
from engine.errors import N_, RefusedValue, UnknownName

RISKS = cast(Table, Risk.__table__)
CATEGORIES = ("market", "credit", "operational")
LEVELS = ("low", "medium", "high")
IMPACTS = ("minor", "moderate", "severe")
RESPONSES = ("avoid", "reduce", "transfer", "accept")


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise RefusedValue(N_("%(field)s must be one of %(allowed)s, not '%(value)s'"), field=name, allowed=list(allowed),
                           value=value)
    return value


def _text(name: str, value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RefusedValue(N_("%(field)s must not be empty"), field=name)
    return value.strip()


def _status(conn: Connection, number: str) -> str:
    status = conn.execute(select(RISKS.c.status).where(RISKS.c.number == number)).scalar_one_or_none()
    if status is None:
        raise UnknownName(N_("no risk %(number)s in the register"), number=number)
    return str(status)


def _set(conn: Connection, number: str, expected: tuple[str, ...], now: datetime, **values: Any) -> None:
    status = _status(conn, number)
    if status not in expected:
        raise RefusedValue(N_("risk %(number)s is %(status)s; this step needs it %(expected)s"), number=number,
                           status=status, expected=list(expected))
    conn.execute(update(RISKS).where(RISKS.c.number == number).values(updated_at=now, **values))


def register_risk(conn: Connection, now: datetime, instance_id: str, category: str, title: str,
                  description: str, existing: str = "") -> str:
    """R-5.1 identification: a new register entry, numbered FX-<year>-<nnnn> without gaps; or, given the
    number of an approved entry, that entry opened again for this round's assessment (periodic review)."""
    _one_of("category", category, CATEGORIES)
    if existing:
        _set(conn, existing, ("approved",), now, category=category, title=_text("title", title),
             description=description or "", status="identified", instance_id=instance_id)
        return existing
    number = f"FX-{now.year}-{next_number(conn, 'risk', str(now.year)):04d}"
    conn.execute(insert(RISKS).values(
        number=number, category=category, title=_text("title", title), description=description or "",
        status="identified", assessment="", measures="", approval_note="", instance_id=instance_id,
        identified_at=now, updated_at=now))
    return number


def assess_risk(conn: Connection, now: datetime, number: str, level: str, impact: str, assessment: str) -> None:
    """R-5.1 assessment: the risk's level and the degree of its impact."""
    _set(conn, number, ("identified", "assessed"), now, level=_one_of("level", level, LEVELS),
         impact=_one_of("impact", impact, IMPACTS), assessment=assessment or "", status="assessed")


def plan_response(conn: Connection, now: datetime, number: str, response: str, measures: str,
                  department: str, person: str) -> None:
    """R-5.2: the response, its measures and who carries them out (department and person)."""
    _set(conn, number, ("assessed", "returned"), now, response=_one_of("response", response, RESPONSES),
         measures=_text("measures", measures), responsible_department=_text("responsible department", department),
         responsible_person=_text("responsible person", person), status="planned")


def decide_response(conn: Connection, now: datetime, number: str, approved: bool, note: str) -> str:
    """R-5.2: the leader approves the plan (it is in force) or returns it for revision."""
    status = "approved" if approved else "returned"
    _set(conn, number, ("planned",), now, status=status, approval_note=note or "")
    return status


@dataclass(frozen=True)
class RiskEntry:
    number: str
    category: str
    title: str
    status: str
    level: str | None
    impact: str | None
    response: str | None
    measures: str
    responsible_department: str | None
    responsible_person: str | None
    updated_at: datetime


def register(conn: Connection) -> list[RiskEntry]:
    """The whole register, highest level first, newest first within a level."""
    rank = {level: i for i, level in enumerate(reversed(LEVELS))}
    rows = conn.execute(select(RISKS).order_by(RISKS.c.id.desc())).all()
    entries = [RiskEntry(r.number, r.category, r.title, r.status, r.level, r.impact, r.response, r.measures,
                         r.responsible_department, r.responsible_person, r.updated_at) for r in rows]
    return sorted(entries, key=lambda e: rank.get(e.level or "", len(LEVELS)))
