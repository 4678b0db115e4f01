"""Training plans and their delivery (R-7.2, R-7.3): the plan register, its approval, the sessions an approved
plan schedules, sign-in, assessment and the follow-up of absentees. Every function works on the step's
connection, so what a step writes commits or rolls back with it."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, insert, select, update

from engine.clock import isoformat

from .numbering import next_number
from .training import department_of, one_of, require_users, text
from .training_models import TrainingAttendance, TrainingPlan, TrainingSession
from engine.errors import N_, RefusedValue, UnknownName

PLANS = cast(Table, TrainingPlan.__table__)
SESSIONS = cast(Table, TrainingSession.__table__)
ATTENDANCE = cast(Table, TrainingAttendance.__table__)
KINDS = ("annual", "special")
METHODS = ("classroom", "on_the_job", "online", "external")
FOLLOW_UPS = ("make_up", "excused", "warned")
PASS_MARK = 60.0
SESSION_HOUR = time(9, 0)  # sessions start at 09:00 local time on their day
_NAMES = re.compile(r"[\s,;，；、]+")


def user_names(value: str) -> list[str]:
    """User names typed in one box, separated by spaces, commas or semicolons; each once, in order."""
    names: list[str] = []
    for name in _NAMES.split(value or ""):
        if name and name not in names:
            names.append(name)
    return names


def _plan_values(conn: Connection, kind: str, title: str, goal: str, content: str, method: str, starts_on: str,
                 session_count: int, every_days: int, trainer: str, participants: str,
                 budget: float) -> dict[str, Any]:
    people = user_names(participants)
    if not people:
        raise RefusedValue(N_("name at least one participant"))
    require_users(conn, people)
    if not 1 <= int(session_count) <= 52 or not 1 <= int(every_days) <= 366:
        raise RefusedValue(N_("a plan has 1 to 52 sessions, 1 to 366 days apart"))
    if budget < 0:
        raise RefusedValue(N_("the budget cannot be negative"))
    return {"kind": one_of("kind", kind, KINDS), "title": text("title", title), "goal": text("goal", goal),
            "content": text("content", content), "method": one_of("method", method, METHODS),
            "starts_on": date.fromisoformat(starts_on).isoformat(), "session_count": int(session_count),
            "every_days": int(every_days), "trainer": text("trainer", trainer), "participants": json.dumps(people),
            "budget": float(budget)}


def submit_plan(conn: Connection, now: datetime, instance_id: str, **fields: Any) -> dict[str, Any]:
    """R-7.2: the drafted plan enters the register (numbered PX-<year>-<nnnn>), or its amendment replaces the
    returned version under the same number."""
    values = _plan_values(conn, **fields)
    number = conn.execute(select(PLANS.c.number).where(PLANS.c.instance_id == instance_id)).scalar_one_or_none()
    if number is None:
        number = f"PX-{now.year}-{next_number(conn, 'training_plan', str(now.year)):04d}"
        conn.execute(insert(PLANS).values(number=number, status="submitted", approval_note="",
                                          instance_id=instance_id, updated_at=now, **values))
    else:
        status = conn.execute(select(PLANS.c.status).where(PLANS.c.number == number)).scalar_one()
        if status != "returned":
            raise RefusedValue(N_("plan %(number)s is %(status)s; only a returned plan is amended"), number=number,
                               status=status)
        conn.execute(update(PLANS).where(PLANS.c.number == number)
                     .values(status="submitted", updated_at=now, **values))
    return {"number": number, "status": "submitted", "participants": json.loads(values["participants"])}


def decide_plan(conn: Connection, now: datetime, number: str, approved: bool, note: str) -> str:
    """R-7.2: the leader approves the plan, or sends it back to be amended."""
    status = conn.execute(select(PLANS.c.status).where(PLANS.c.number == number)).scalar_one_or_none()
    if status != "submitted":
        raise RefusedValue(N_("plan %(number)s is %(status)s; only a submitted plan is decided"), number=number,
                           status=status or "not in the register")
    decided = "approved" if approved else "returned"
    conn.execute(update(PLANS).where(PLANS.c.number == number)
                 .values(status=decided, approval_note=note or "", updated_at=now))
    return decided


def schedule_sessions(conn: Connection, number: str, zone: str) -> list[dict[str, Any]]:
    """R-7.3: the approved plan's sessions, every `every_days` days from its first day at 09:00, each with
    every participant on its sign-in list."""
    plan = conn.execute(select(PLANS).where(PLANS.c.number == number)).one()
    if plan.status != "approved":
        raise RefusedValue(N_("plan %(number)s is %(status)s; only an approved plan schedules sessions"), number=number,
                           status=plan.status)
    people = json.loads(plan.participants)
    first = datetime.combine(date.fromisoformat(plan.starts_on), SESSION_HOUR, ZoneInfo(zone))
    sessions = []
    for index in range(plan.session_count):
        session_number = f"{number}-{index + 1}"
        starts_at = first + timedelta(days=index * plan.every_days)
        conn.execute(insert(SESSIONS).values(number=session_number, plan_number=number, starts_at=starts_at,
                                             trainer=plan.trainer, status="scheduled", record=""))
        for person in people:
            conn.execute(insert(ATTENDANCE).values(session_number=session_number, person=person,
                                                   assessment_note="", follow_up_note=""))
        sessions.append({"number": session_number, "plan": number, "title": plan.title, "trainer": plan.trainer,
                         "starts_at": isoformat(starts_at), "participants": people})
    return sessions


def record_sign_in(conn: Connection, now: datetime, session_number: str, absentees: str,
                   record: str) -> list[dict[str, Any]]:
    """R-7.3: the confirmed sign-in list (everyone on it but the absentees signed in) and the training record.
    Returns one entry per participant, with the group of the head who follows an absence up."""
    session = conn.execute(select(SESSIONS).where(SESSIONS.c.number == session_number)).one()
    if session.status != "scheduled":
        raise RefusedValue(N_("session %(session)s is already %(status)s"), session=session_number, status=session.status)
    listed = list(conn.scalars(select(ATTENDANCE.c.person).where(ATTENDANCE.c.session_number == session_number)
                               .order_by(ATTENDANCE.c.id)))
    absent = user_names(absentees)
    strangers = [name for name in absent if name not in listed]
    if strangers:
        raise RefusedValue(N_("%(names)s not on the sign-in list: %(listed)s"), names=strangers, listed=listed)
    groups = require_users(conn, listed)
    conn.execute(update(SESSIONS).where(SESSIONS.c.number == session_number)
                 .values(status="held", record=text("training record", record), held_at=now))
    entries = []
    for person in listed:
        attended = person not in absent
        conn.execute(update(ATTENDANCE).where(ATTENDANCE.c.session_number == session_number,
                                              ATTENDANCE.c.person == person)
                     .values(attended=attended, signed_at=now if attended else None))
        department = department_of(groups[person])
        entries.append({"session": session_number, "person": person, "attended": attended,
                        "head_group": f"{department}_head" if department else "training"})
    return entries


def _attendance(conn: Connection, session_number: str, person: str, attended: bool) -> Any:
    row = conn.execute(select(ATTENDANCE).where(ATTENDANCE.c.session_number == session_number,
                                                ATTENDANCE.c.person == person)).one_or_none()
    if row is None or row.attended is not attended:
        if attended:
            raise UnknownName(N_("%(person)s is not signed in at session %(session)s"), person=person,
                              session=session_number)
        raise UnknownName(N_("%(person)s is not absent at session %(session)s"), person=person, session=session_number)
    return row


def record_assessment(conn: Connection, session_number: str, person: str, score: float, note: str) -> dict[str, Any]:
    """R-7.3: a participant's assessment: the score, passed at 60 or more."""
    if not 0 <= score <= 100:
        raise RefusedValue(N_("a score is between 0 and 100"))
    _attendance(conn, session_number, person, True)
    passed = score >= PASS_MARK
    conn.execute(update(ATTENDANCE).where(ATTENDANCE.c.session_number == session_number,
                                          ATTENDANCE.c.person == person)
                 .values(score=float(score), passed=passed, assessment_note=note or ""))
    return {"person": person, "score": float(score), "passed": passed}


def record_follow_up(conn: Connection, session_number: str, person: str, outcome: str, note: str) -> dict[str, Any]:
    """R-7.3: what the absentee's head did: a make-up session, excused, or a warning."""
    _attendance(conn, session_number, person, False)
    conn.execute(update(ATTENDANCE).where(ATTENDANCE.c.session_number == session_number,
                                          ATTENDANCE.c.person == person)
                 .values(follow_up=one_of("outcome", outcome, FOLLOW_UPS), follow_up_note=text("note", note)))
    return {"person": person, "follow_up": outcome}


def person_record(conn: Connection, person: str) -> list[dict[str, Any]]:
    """One person's training record, oldest session first: attended, score, passed (R-7.3, read for R-7.4)."""
    rows = conn.execute(select(ATTENDANCE.c.session_number, ATTENDANCE.c.attended, ATTENDANCE.c.score,
                               ATTENDANCE.c.passed, SESSIONS.c.starts_at, PLANS.c.title)
                        .select_from(ATTENDANCE.join(SESSIONS, SESSIONS.c.number == ATTENDANCE.c.session_number)
                                     .join(PLANS, PLANS.c.number == SESSIONS.c.plan_number))
                        .where(ATTENDANCE.c.person == person, SESSIONS.c.status == "held")
                        .order_by(SESSIONS.c.starts_at, SESSIONS.c.number))
    return [{"session": r.session_number, "title": r.title, "starts_at": isoformat(r.starts_at),
             "attended": bool(r.attended), "score": r.score, "passed": r.passed} for r in rows]
