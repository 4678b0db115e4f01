"""R-7.4 Career development plans (員工職業發展規劃): the training owner opens a plan for an employee with the
superior who guides it; the employee writes goals and planned trainings in their own inbox; the superior agrees
it or sends it back; they review it periodically until it is closed. (The regulation breaks off inside R-7.4.2.)"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest

from casework.training_models import CareerPlan
from casework.training_records import TrainingRecords
from engine.bootstrap import Casedesk
from engine.errors import CasedeskError, Forbidden
from tests.acceptance.case_support import _mail_server, _sms_server, desk, mailbox, sms  # noqa: F401 - fixtures
from tests.acceptance.training_desk import (FIRST_SESSION, approved_plan, deploy_training, finished_needs_round,
                                            needs_list, rows, session_day)
from tests.support.steps import task, tasks, work

OPEN = {"career_employee": "sam", "career_superior": "sue", "review_every_months": 6}
DRAFT = {"target_position": "Key account manager 大客戶經理", "career_goals": "Lead three key accounts by 2028.",
         "planned_trainings": "Contract review 2026; negotiation."}


@pytest.fixture
def training_desk(desk: Casedesk) -> Iterator[Casedesk]:  # noqa: F811
    yield deploy_training(desk)


def plan(desk: Casedesk) -> CareerPlan:
    [found] = rows(desk, CareerPlan)
    return found


def test_r_7_4_a_career_plan_is_agreed_with_the_superior_and_reviewed_until_it_is_closed(
        training_desk: Casedesk) -> None:
    opened_at = training_desk.clock.now()
    career_id = training_desk.runtime.start_instance("career_plan", {}, actor="gil").id
    work(training_desk, "gil", "open_career_plan", OPEN, career_id)
    assert (plan(training_desk).number, plan(training_desk).status) == ("ZY-2026-0001", "opened")
    assert tasks(training_desk, "pat", "draft_career_plan") == []  # only sam writes his plan
    work(training_desk, "sam", "draft_career_plan", DRAFT, career_id)
    assert tasks(training_desk, "sam", "agree_career_plan") == []
    work(training_desk, "sue", "agree_career_plan", {"career_agreed": False,
                                                    "career_note": "Add a finance course. 加一門財務課。"}, career_id)
    assert (plan(training_desk).status, plan(training_desk).review_note) == ("returned", "Add a finance course. 加一門財務課。")
    redraft = task(training_desk, "sam", "draft_career_plan", career_id)
    assert redraft.instructions is not None and "Add a finance course" in redraft.instructions
    work(training_desk, "sam", "draft_career_plan", {**DRAFT, "planned_trainings": "Contract review; finance basics."},
         career_id)
    work(training_desk, "sue", "agree_career_plan", {"career_agreed": True, "career_note": ""}, career_id)
    agreed = plan(training_desk)
    assert agreed.status == "active" and agreed.planned_trainings == "Contract review; finance basics."
    first_review = datetime(2026, 7, 5, 9, 0, tzinfo=timezone.utc)
    assert agreed.next_review_at == first_review and opened_at == datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

    training_desk.clock.set(first_review - timedelta(minutes=1))  # type: ignore[attr-defined]
    training_desk.jobs.run_due(worker="test")
    assert tasks(training_desk, "sue", "review_career_plan") == []
    training_desk.clock.set(first_review)  # type: ignore[attr-defined]
    training_desk.jobs.run_due(worker="test")
    work(training_desk, "sue", "review_career_plan", {"review_outcome": "continue",
                                                     "review_progress": "One key account won."}, career_id)
    assert (plan(training_desk).reviews, plan(training_desk).next_review_at) == (1, datetime(2027, 1, 5, 9, 0,
                                                                                             tzinfo=timezone.utc))
    training_desk.clock.set(datetime(2027, 1, 5, 9, 0, tzinfo=timezone.utc))  # type: ignore[attr-defined]
    training_desk.jobs.run_due(worker="test")
    work(training_desk, "sue", "review_career_plan", {"review_outcome": "revise",
                                                     "review_progress": "Aim at the regional post instead."}, career_id)
    work(training_desk, "sam", "draft_career_plan", {**DRAFT, "target_position": "Regional sales head"}, career_id)
    work(training_desk, "sue", "agree_career_plan", {"career_agreed": True, "career_note": "Good."}, career_id)
    training_desk.clock.set(datetime(2027, 7, 5, 9, 0, tzinfo=timezone.utc))  # type: ignore[attr-defined]
    training_desk.jobs.run_due(worker="test")
    done = work(training_desk, "sue", "review_career_plan", {"review_outcome": "close",
                                                            "review_progress": "Promoted. 已晉升。"}, career_id)
    assert done.status == "completed"
    closed = plan(training_desk)
    assert (closed.status, closed.reviews, closed.target_position, closed.next_review_at) == (
        "closed", 3, "Regional sales head", None)

    records = TrainingRecords(training_desk.db)
    assert [c.number for c in records.overview(records.scope("sam", frozenset({"sales", "staff"}))).careers] == [
        "ZY-2026-0001"]
    assert [c.number for c in records.overview(records.scope("sue", frozenset({"sales_head", "staff"}))).careers] == [
        "ZY-2026-0001"]
    assert records.overview(records.scope("pat", frozenset({"procurement", "staff"}))).careers == []


def test_r_7_4_a_plan_needs_two_different_users_and_only_the_training_owner_opens_one(
        training_desk: Casedesk) -> None:
    with pytest.raises(Forbidden):
        training_desk.runtime.start_instance("career_plan", {}, actor="sam")
    career_id = training_desk.runtime.start_instance("career_plan", {}, actor="leo").id
    with pytest.raises(CasedeskError, match="someone else's plan"):
        work(training_desk, "leo", "open_career_plan", {**OPEN, "career_superior": "sam"}, career_id)
    with pytest.raises(CasedeskError, match="no active user named 'boss'"):
        work(training_desk, "leo", "open_career_plan", {**OPEN, "career_superior": "boss"}, career_id)
    assert rows(training_desk, CareerPlan) == []


def test_r_7_4_2_the_trainings_of_a_plan_in_force_join_the_next_needs_analysis(training_desk: Casedesk) -> None:
    career_id = training_desk.runtime.start_instance("career_plan", {}, actor="gil").id
    work(training_desk, "gil", "open_career_plan", {**OPEN, "career_employee": "pat", "career_superior": "peg"},
         career_id)
    work(training_desk, "pat", "draft_career_plan", {**DRAFT, "planned_trainings": "Supplier audits\nNegotiation"},
         career_id)
    work(training_desk, "peg", "agree_career_plan", {"career_agreed": True, "career_note": ""}, career_id)
    round_id = finished_needs_round(training_desk)
    by_skill = {n["skill"]: n for n in needs_list(training_desk, round_id)}
    assert (by_skill["Supplier audits"]["people"], by_skill["Supplier audits"]["sources"]) == (["pat"], ["career_plan"])
    assert by_skill["Negotiation"]["people"] == ["sam", "sue", "pat"]
    assert "career_plan" in by_skill["Negotiation"]["sources"]


def test_r_7_4_the_superior_reviews_the_plan_with_the_employee_s_training_record_in_view(
        training_desk: Casedesk) -> None:
    plan_id = approved_plan(training_desk, plan_session_count=1, plan_participants="sam")
    session_day(training_desk, FIRST_SESSION)
    work(training_desk, "gil", "confirm_sign_in", {"absentees": "", "session_record": "Clauses 1-12."}, plan_id)
    work(training_desk, "gil", "assess_participant", {"training_score": 85, "assessment_remark": ""}, plan_id)
    career_id = training_desk.runtime.start_instance("career_plan", {}, actor="gil").id
    work(training_desk, "gil", "open_career_plan", OPEN, career_id)
    work(training_desk, "sam", "draft_career_plan", DRAFT, career_id)
    work(training_desk, "sue", "agree_career_plan", {"career_agreed": True, "career_note": ""}, career_id)
    training_desk.clock.set(datetime(2026, 8, 2, 1, 0, tzinfo=timezone.utc))  # type: ignore[attr-defined]
    training_desk.jobs.run_due(worker="test")
    review = task(training_desk, "sue", "review_career_plan", career_id)
    assert review.instructions is not None
    assert "- PX-2026-0001-1 · Contract review 2026 · 85 ✓" in review.instructions
