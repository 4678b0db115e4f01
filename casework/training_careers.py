"""Career development plans (R-7.4): opened for a person, drafted by them, agreed with their superior and
reviewed periodically. Every function works on the step's connection."""
from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, update

from engine.clock import isoformat
from engine.isotime import add, parse_duration

from .numbering import next_number
from .training import require_users, text
from .training_models import CareerPlan
from engine.errors import N_, RefusedValue, UnknownName

CAREER_PLANS = cast(Table, CareerPlan.__table__)
REVIEW_OUTCOMES = ("continue", "revise", "close")


def _plan(conn: Connection, number: str, *expected: str) -> Any:
    row = conn.execute(select(CAREER_PLANS).where(CAREER_PLANS.c.number == number)).one_or_none()
    if row is None:
        raise UnknownName(N_("no career plan %(number)s"), number=number)
    if row.status not in expected:
        raise RefusedValue(N_("career plan %(number)s is %(status)s; this step needs it %(expected)s"), number=number,
                           status=row.status, expected=list(expected))
    return row


def _next_review(now: datetime, months: int) -> datetime:
    return add(now, parse_duration(f"P{months}M"))


def open_plan(conn: Connection, now: datetime, instance_id: str, person: str, superior: str,
              review_months: int) -> dict[str, Any]:
    """A plan for `person`, agreed with and reviewed by `superior` every `review_months` months."""
    person, superior = text("employee", person), text("superior", superior)
    if person == superior:
        raise RefusedValue(N_("the superior reviews someone else's plan, not their own"))
    if not 1 <= int(review_months) <= 24:
        raise RefusedValue(N_("a review comes every 1 to 24 months"))
    require_users(conn, [person, superior])
    number = f"ZY-{now.year}-{next_number(conn, 'career_plan', str(now.year)):04d}"
    conn.execute(insert(CAREER_PLANS).values(
        number=number, person=person, superior=superior, target_position="", goals="", planned_trainings="",
        status="opened", review_note="", reviews=0, review_months=int(review_months), instance_id=instance_id,
        updated_at=now))
    return {"number": number, "person": person, "superior": superior}


def draft(conn: Connection, now: datetime, number: str, target_position: str, goals: str,
          planned_trainings: str) -> str:
    _plan(conn, number, "opened", "returned", "active")
    conn.execute(update(CAREER_PLANS).where(CAREER_PLANS.c.number == number).values(
        target_position=text("target position", target_position), goals=text("goals", goals),
        planned_trainings=text("planned trainings", planned_trainings), status="drafted", updated_at=now))
    return "drafted"


def agree(conn: Connection, now: datetime, number: str, agreed: bool, note: str) -> dict[str, Any]:
    """The superior agrees (the plan is in force until its next review) or sends it back."""
    row = _plan(conn, number, "drafted")
    if not agreed:
        conn.execute(update(CAREER_PLANS).where(CAREER_PLANS.c.number == number)
                     .values(status="returned", review_note=text("what must change", note), updated_at=now))
        return {"status": "returned", "next_review_at": ""}
    due = _next_review(now, row.review_months)
    conn.execute(update(CAREER_PLANS).where(CAREER_PLANS.c.number == number)
                 .values(status="active", review_note=note or "", next_review_at=due, updated_at=now))
    return {"status": "active", "next_review_at": isoformat(due)}


def review(conn: Connection, now: datetime, number: str, outcome: str, progress: str) -> dict[str, Any]:
    """A periodic review: the plan goes on (next review set), is revised by the person, or is closed."""
    row = _plan(conn, number, "active")
    if outcome not in REVIEW_OUTCOMES:
        raise RefusedValue(N_("outcome must be one of %(outcomes)s"), outcomes=list(REVIEW_OUTCOMES))
    values: dict[str, Any] = {"reviews": row.reviews + 1, "review_note": text("progress", progress),
                              "updated_at": now}
    due = None
    if outcome == "continue":
        due = _next_review(now, row.review_months)
        values["next_review_at"] = due
    elif outcome == "close":
        values.update(status="closed", next_review_at=None)
    conn.execute(update(CAREER_PLANS).where(CAREER_PLANS.c.number == number).values(**values))
    return {"outcome": outcome, "next_review_at": isoformat(due) if due else ""}
