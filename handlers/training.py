"""Training and development handlers (R-7): needs analysis, plans, sessions and career plans.

Each writes through the step's connection, so what it records commits or rolls back with the step. A refused
value (an unknown person, a plan in the wrong state) raises ValueError/LookupError: the person's submission
is refused and nothing is stored.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from casework import training, training_careers, training_plans
from engine.errors import N_, RefusedType

from .context import Handler, HandlerContext


def _connection(ctx: HandlerContext) -> Connection:
    if ctx.connection is None:
        raise RuntimeError("training handlers write through the step's connection; none was given")
    return ctx.connection


def training_survey_respondents(ctx: HandlerContext, departments: list[str]) -> list[dict[str, str]]:
    """R-7.1: one survey for every member and head of the departments."""
    return training.survey_respondents(_connection(ctx), list(departments))


def record_survey_answer(ctx: HandlerContext, person: str, department: str, skills: str, priority: str,
                         comment: str) -> int:
    """R-7.1: a survey answer's needed skills join the round's needs; how many it named. (A number, not the
    list: every survey's data flows back into the round, and lists of many surveys would be merged.)"""
    return len(training.record_survey(_connection(ctx), ctx.now, ctx.instance_id, person, department, skills,
                                      priority, comment))


def record_interview_need(ctx: HandlerContext, person: str, skill: str, priority: str,
                          notes: str) -> dict[str, str]:
    """R-7.1: what an interview found."""
    return training.record_interview(_connection(ctx), ctx.now, ctx.instance_id, person, skill, priority, notes)


def consolidate_training_needs(ctx: HandlerContext) -> list[dict[str, Any]]:
    """R-7.1: the round's needs from every source, the career plans in force (R-7.4) included, by skill."""
    training.career_plan_needs(_connection(ctx), ctx.now, ctx.instance_id)
    return training.consolidated_needs(_connection(ctx), ctx.instance_id)


def latest_training_needs(ctx: HandlerContext) -> list[dict[str, Any]]:
    """R-7.2.1: the needs list a plan is drawn up from."""
    return training.latest_needs(_connection(ctx))


def make_propose_appraisal_needs(zone: str) -> Handler:
    def propose_appraisal_needs(ctx: HandlerContext) -> list[dict[str, str]]:
        """R-7.1 with R-4.3: people the appraisal results show need training."""
        return training.appraisal_needs(_connection(ctx), ctx.now, ctx.instance_id, zone)

    return propose_appraisal_needs


def record_training_plan(ctx: HandlerContext, kind: str, title: str, goal: str, content: str, method: str,
                         starts_on: str, session_count: int, every_days: int, trainer: str, participants: str,
                         budget: float) -> dict[str, Any]:
    """R-7.2: the plan (or its amendment) in the register."""
    return training_plans.submit_plan(_connection(ctx), ctx.now, ctx.instance_id, kind=kind, title=title, goal=goal,
                                      content=content, method=method, starts_on=starts_on,
                                      session_count=session_count, every_days=every_days, trainer=trainer,
                                      participants=participants, budget=budget)


def decide_training_plan(ctx: HandlerContext, number: str, approved: bool, note: str) -> dict[str, Any]:
    """R-7.2: the leader's decision."""
    if not isinstance(approved, bool):
        raise RefusedType(N_("%(field)s must be true or false"), field="approved")
    return {"number": number, "status": training_plans.decide_plan(_connection(ctx), ctx.now, number, approved, note)}


def make_schedule_training_sessions(zone: str) -> Handler:
    def schedule_training_sessions(ctx: HandlerContext, number: str) -> list[dict[str, Any]]:
        """R-7.3: the approved plan's sessions with their sign-in lists."""
        return training_plans.schedule_sessions(_connection(ctx), number, zone)

    return schedule_training_sessions


def record_training_sign_in(ctx: HandlerContext, session: str, absentees: str, record: str) -> list[dict[str, Any]]:
    """R-7.3: sign-in per person and the training record."""
    return training_plans.record_sign_in(_connection(ctx), ctx.now, session, absentees, record)


def record_training_assessment(ctx: HandlerContext, session: str, person: str, score: float,
                               note: str) -> dict[str, Any]:
    """R-7.3: one participant's assessment."""
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        raise RefusedType(N_("%(field)s must be a number"), field="score")
    return training_plans.record_assessment(_connection(ctx), session, person, float(score), note)


def record_absence_follow_up(ctx: HandlerContext, session: str, person: str, outcome: str,
                             note: str) -> dict[str, Any]:
    """R-7.3: how an absence was followed up."""
    return training_plans.record_follow_up(_connection(ctx), session, person, outcome, note)


def person_training_record(ctx: HandlerContext, person: str) -> list[dict[str, Any]]:
    """R-7.4: the sessions a person was on, for their superior's review."""
    return training_plans.person_record(_connection(ctx), person)


def open_career_plan(ctx: HandlerContext, person: str, superior: str, review_months: int) -> dict[str, Any]:
    """R-7.4: a career plan opened for a person."""
    return training_careers.open_plan(_connection(ctx), ctx.now, ctx.instance_id, person, superior,
                                      int(review_months))


def record_career_plan(ctx: HandlerContext, number: str, target_position: str, goals: str,
                       planned_trainings: str) -> dict[str, Any]:
    """R-7.4: the person's goals and planned trainings."""
    status = training_careers.draft(_connection(ctx), ctx.now, number, target_position, goals, planned_trainings)
    return {"number": number, "status": status}


def agree_career_plan(ctx: HandlerContext, number: str, agreed: bool, note: str) -> dict[str, Any]:
    """R-7.4: the superior agrees the plan or sends it back."""
    if not isinstance(agreed, bool):
        raise RefusedType(N_("%(field)s must be true or false"), field="agreed")
    return training_careers.agree(_connection(ctx), ctx.now, number, agreed, note)


def record_career_review(ctx: HandlerContext, number: str, outcome: str, progress: str) -> dict[str, Any]:
    """R-7.4: a periodic review with the superior."""
    return training_careers.review(_connection(ctx), ctx.now, number, outcome, progress)
