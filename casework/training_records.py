"""What the training page reads (R-7): plans, sessions with their attendance, each person's training record and
career plans, narrowed to what the reader may see: staff their own, heads their department, the training
owner, leaders and administrators everyone."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import AbstractSet

from sqlalchemy import select

from engine.persistence import Database

from .training import DEPARTMENTS, department_of, groups_of_users
from .training_careers import CAREER_PLANS
from .training_plans import ATTENDANCE, PLANS, SESSIONS

SEE_ALL = frozenset({"training", "leader", "admin", "auditor"})


@dataclass(frozen=True)
class Scope:
    """Whose records a reader sees: everyone (`people` None) or the named people."""

    people: frozenset[str] | None

    def shows(self, person: str) -> bool:
        return self.people is None or person in self.people


@dataclass(frozen=True)
class PlanRow:
    number: str
    kind: str
    title: str
    method: str
    starts_on: str
    session_count: int
    trainer: str
    participants: list[str]
    budget: float
    status: str
    instance_id: str


@dataclass(frozen=True)
class AttendanceRow:
    session: str
    plan_title: str
    starts_at: datetime
    person: str
    attended: bool | None
    score: float | None
    passed: bool | None
    follow_up: str | None


@dataclass(frozen=True)
class SessionRow:
    number: str
    plan_title: str
    starts_at: datetime
    trainer: str
    status: str
    record: str
    attendance: list[AttendanceRow]


@dataclass(frozen=True)
class CareerRow:
    number: str
    person: str
    superior: str
    target_position: str
    goals: str
    planned_trainings: str
    status: str
    reviews: int
    next_review_at: datetime | None
    instance_id: str


@dataclass(frozen=True)
class TrainingOverview:
    plans: list[PlanRow]
    sessions: list[SessionRow]
    records: dict[str, list[AttendanceRow]]  # person -> their sessions, newest first
    careers: list[CareerRow]


def may_see_training(groups: AbstractSet[str]) -> bool:
    """Every staff member has a record to see; the reserved roles see the page only as auditors or admins."""
    return bool(groups - {"process_owner"})


class TrainingRecords:
    """Read-only: one transaction per page."""

    def __init__(self, db: Database):
        self.db = db

    def scope(self, username: str, groups: AbstractSet[str]) -> Scope:
        if SEE_ALL & groups:
            return Scope(None)
        heads = {d for d in DEPARTMENTS if f"{d}_head" in groups}
        people = {username}
        if heads:
            with self.db.unit_of_work(write=False) as session:
                people |= {name for name, member_of in groups_of_users(session.connection()).items()
                           if department_of(member_of) in heads}
        return Scope(frozenset(people))

    def overview(self, scope: Scope) -> TrainingOverview:
        with self.db.unit_of_work(write=False) as session:
            conn = session.connection()
            plans = [PlanRow(r.number, r.kind, r.title, r.method, r.starts_on, r.session_count, r.trainer,
                             json.loads(r.participants), r.budget, r.status, r.instance_id)
                     for r in conn.execute(select(PLANS).order_by(PLANS.c.number.desc()))]
            titles = {p.number: p.title for p in plans}
            attendance: dict[str, list[AttendanceRow]] = {}
            sessions_rows = list(conn.execute(select(SESSIONS).order_by(SESSIONS.c.starts_at.desc(),
                                                                        SESSIONS.c.number)))
            starts = {r.number: (r.starts_at, titles.get(r.plan_number, "")) for r in sessions_rows}
            for r in conn.execute(select(ATTENDANCE).order_by(ATTENDANCE.c.session_number, ATTENDANCE.c.person)):
                if scope.shows(r.person):
                    starts_at, title = starts[r.session_number]
                    attendance.setdefault(r.session_number, []).append(AttendanceRow(
                        r.session_number, title, starts_at, r.person, r.attended, r.score, r.passed, r.follow_up))
            sessions = [SessionRow(r.number, titles.get(r.plan_number, ""), r.starts_at, r.trainer, r.status, r.record,
                                   attendance.get(r.number, []))
                        for r in sessions_rows if scope.people is None or attendance.get(r.number)]
            records: dict[str, list[AttendanceRow]] = {}
            for row in sorted((a for rows in attendance.values() for a in rows), key=lambda a: a.starts_at,
                              reverse=True):
                records.setdefault(row.person, []).append(row)
            careers = [CareerRow(r.number, r.person, r.superior, r.target_position, r.goals, r.planned_trainings,
                                 r.status, r.reviews, r.next_review_at, r.instance_id)
                       for r in conn.execute(select(CAREER_PLANS).order_by(CAREER_PLANS.c.number.desc()))
                       if scope.shows(r.person) or scope.shows(r.superior)]
        if scope.people is not None:
            plans = [p for p in plans if any(scope.shows(name) for name in p.participants)]
        return TrainingOverview(plans, sessions, dict(sorted(records.items())), careers)
