"""Acceptance plumbing for R-7: the training area deployed beside the case chain (whose histories feed the
appraisal results), the demo organisation (leo and gil own training), and steps worked from each person's
own inbox, cold from storage."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from casework.training_models import CareerPlan, TrainingAttendance, TrainingNeed, TrainingPlan, TrainingSession
from engine.bootstrap import Casedesk
from tests.support.steps import deploy_area, objects, run_due_at, work
# The yearly analysis: 10 January 09:00 in Beijing, after the fake clock's start (5 January 2026).
YEARLY_ANALYSIS = datetime(2026, 1, 10, 1, 0, tzinfo=timezone.utc)


def deploy_training(desk: Casedesk) -> Casedesk:
    return deploy_area(desk, "training")


def rows(desk: Casedesk, model: Any) -> list[Any]:
    """A training register's rows in the order its page lists them."""
    order = {TrainingNeed: TrainingNeed.id, TrainingPlan: TrainingPlan.number, TrainingSession: TrainingSession.number,
             TrainingAttendance: TrainingAttendance.id, CareerPlan: CareerPlan.number}[model]
    return objects(desk, select(model).order_by(order))


PLAN = {"plan_kind": "annual", "plan_title": "Contract review 2026", "plan_goal": "Every seller reviews contracts alone.",
        "plan_content": "Clauses, risks, approval route. 條款、風險、審批流程。", "plan_method": "classroom",
        "plan_starts_on": "2026-02-02", "plan_session_count": 2, "plan_every_days": 7, "plan_trainer": "Lawyer Li",
        "plan_participants": "sam, fay gus", "plan_budget": 6000}


def needs_list(desk: Casedesk, round_id: str) -> list[dict[str, Any]]:
    """The round's consolidated needs (R-7.1), as the confirmation task lists them."""
    from casework.training import consolidated_needs

    with desk.db.unit_of_work(write=False) as session:
        return consolidated_needs(session.connection(), round_id)


FIRST_SESSION = datetime(2026, 2, 2, 1, 0, tzinfo=timezone.utc)  # 2 February, 09:00 in Beijing
SECOND_SESSION = datetime(2026, 2, 9, 1, 0, tzinfo=timezone.utc)


def approved_plan(desk: Casedesk, **changes: Any) -> str:
    """R-7.2: gil drafts the plan, leo approves it; its sessions are scheduled."""
    plan_id = desk.runtime.start_instance("training_plan", {}, actor="gil").id
    work(desk, "gil", "draft_plan", {**PLAN, **changes}, plan_id)
    work(desk, "leo", "approve_plan", {"plan_approved": True, "plan_approval_note": ""}, plan_id)
    return plan_id


def session_day(desk: Casedesk, moment: datetime) -> int:
    """Move the clock to a session's day and fire what is due."""
    return run_due_at(desk, moment)


SURVEYED = ("fay", "fred", "gil", "gus", "pat", "peg", "sam", "sue")  # the members and heads of the departments
INTERVIEW = {"interviewee": "sam", "interview_skill": "Negotiation", "interview_priority": "medium",
             "interview_notes": "Wants to close larger deals. 希望談成更大的訂單。", "more_interviews": False}


def answer_all(desk: Casedesk, round_id: str) -> None:
    """Every surveyed person answers: sales wants contract law and negotiation (sue urgently), the rest Excel."""
    for person in SURVEYED:
        skills = "Contract law\nNegotiation" if person in ("sam", "sue") else "Excel"
        work(desk, person, "answer_survey", {"needed_skills": skills, "skills_priority": "high" if person == "sue"
                                             else "low", "survey_comment": ""}, round_id)


def finished_needs_round(desk: Casedesk, starter: str = "gil") -> str:
    """R-7.1 run through: surveys, one interview, the list confirmed."""
    round_id = desk.runtime.start_instance("training_needs", {}, actor=starter).id
    answer_all(desk, round_id)
    work(desk, starter, "record_interview", INTERVIEW, round_id)
    work(desk, starter, "confirm_needs", {"needs_conclusion": "Contract law first."}, round_id)
    return round_id
