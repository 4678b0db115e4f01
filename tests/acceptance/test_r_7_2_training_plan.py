"""R-7.2 Training plans (培訓計劃制定): annual and special plans with goal, content, method, time, trainer,
participants and budget, drafted by the training owner and approved by a leader (or sent back to be amended);
an approved plan schedules its sessions."""
from __future__ import annotations

from datetime import timedelta
from typing import Iterator

import pytest

from casework.training_models import TrainingAttendance, TrainingPlan, TrainingSession
from engine.bootstrap import Casedesk
from engine.errors import CasedeskError, Forbidden, InvalidInput
from tests.acceptance.case_support import _mail_server, _sms_server, desk, mailbox, sms  # noqa: F401 - fixtures
from tests.acceptance.training_desk import (FIRST_SESSION, PLAN, SECOND_SESSION, approved_plan, deploy_training,
                                            finished_needs_round, rows, session_day)
from tests.support.steps import task, tasks, work


@pytest.fixture
def training_desk(desk: Casedesk) -> Iterator[Casedesk]:  # noqa: F811
    yield deploy_training(desk)


def test_r_7_2_a_returned_plan_is_amended_under_its_number_and_the_approved_plan_schedules_its_sessions(
        training_desk: Casedesk) -> None:
    plan_id = training_desk.runtime.start_instance("training_plan", {}, actor="gil").id
    work(training_desk, "gil", "draft_plan", {**PLAN, "plan_budget": 60000}, plan_id)
    [plan] = rows(training_desk, TrainingPlan)
    assert (plan.number, plan.status, plan.kind, plan.method, plan.trainer) == (
        "PX-2026-0001", "submitted", "annual", "classroom", "Lawyer Li")
    assert tasks(training_desk, "gil", "approve_plan") == []  # a leader approves
    approval = task(training_desk, "leo", "approve_plan", plan_id)
    assert approval.instructions == "**PX-2026-0001**"  # the plan itself is shown labelled, from the draft's form

    with pytest.raises(InvalidInput):  # a plan is not returned without saying what must change
        work(training_desk, "leo", "approve_plan", {"plan_approved": False, "plan_approval_note": ""}, plan_id)
    work(training_desk, "leo", "approve_plan", {"plan_approved": False,
                                               "plan_approval_note": "Budget too high. 預算過高。"}, plan_id)
    [plan] = rows(training_desk, TrainingPlan)
    assert (plan.status, plan.approval_note) == ("returned", "Budget too high. 預算過高。")
    amend = task(training_desk, "gil", "draft_plan", plan_id)
    assert amend.instructions is not None and "Budget too high" in amend.instructions
    work(training_desk, "gil", "draft_plan", PLAN, plan_id)
    work(training_desk, "leo", "approve_plan", {"plan_approved": True, "plan_approval_note": ""}, plan_id)

    [plan] = rows(training_desk, TrainingPlan)
    assert (plan.number, plan.status, plan.budget) == ("PX-2026-0001", "approved", 6000)
    sessions = rows(training_desk, TrainingSession)
    assert [(s.number, s.starts_at, s.status) for s in sessions] == [
        ("PX-2026-0001-1", FIRST_SESSION, "scheduled"), ("PX-2026-0001-2", SECOND_SESSION, "scheduled")]
    assert sorted((a.session_number, a.person) for a in rows(training_desk, TrainingAttendance)) == [
        (s, p) for s in ("PX-2026-0001-1", "PX-2026-0001-2") for p in ("fay", "gus", "sam")]
    assert training_desk.runtime.get_instance(plan_id).status == "running"
    session_day(training_desk, FIRST_SESSION - timedelta(minutes=1))
    assert tasks(training_desk, "gil", "confirm_sign_in") == []  # not before the session's day


def test_r_7_2_a_special_plan_online_with_one_session(training_desk: Casedesk) -> None:
    plan_id = approved_plan(training_desk, plan_kind="special", plan_method="online", plan_session_count=1,
                            plan_participants="pat")
    [plan] = rows(training_desk, TrainingPlan)
    assert (plan.kind, plan.method, plan.session_count) == ("special", "online", 1)
    assert [s.number for s in rows(training_desk, TrainingSession)] == ["PX-2026-0001-1"]
    session_day(training_desk, FIRST_SESSION)
    assert task(training_desk, "leo", "confirm_sign_in").instance_id == plan_id


def test_r_7_2_a_plan_naming_someone_who_is_no_user_is_refused_and_nothing_is_registered(
        training_desk: Casedesk) -> None:
    plan_id = training_desk.runtime.start_instance("training_plan", {}, actor="leo").id
    with pytest.raises(CasedeskError, match="no active user named 'zed'"):
        work(training_desk, "leo", "draft_plan", {**PLAN, "plan_participants": "sam zed"}, plan_id)
    with pytest.raises(InvalidInput):
        work(training_desk, "leo", "draft_plan", {**PLAN, "plan_method": "by mail"}, plan_id)
    assert rows(training_desk, TrainingPlan) == []
    assert task(training_desk, "gil", "draft_plan", plan_id)


def test_r_7_2_only_the_training_owner_plans_training(training_desk: Casedesk) -> None:
    with pytest.raises(Forbidden):
        training_desk.runtime.start_instance("training_plan", {}, actor="sue")


def test_r_7_2_1_a_plan_is_drawn_up_from_the_latest_finished_needs_analysis(training_desk: Casedesk) -> None:
    first = training_desk.runtime.start_instance("training_plan", {}, actor="gil").id
    assert task(training_desk, "gil", "draft_plan", first).instructions is None  # no analysis finished yet
    finished_needs_round(training_desk)
    unfinished = training_desk.runtime.start_instance("training_needs", {}, actor="leo").id
    work(training_desk, "sam", "answer_survey", {"needed_skills": "Public speaking", "skills_priority": "high",
                                                 "survey_comment": ""}, unfinished)
    plan_id = training_desk.runtime.start_instance("training_plan", {}, actor="gil").id
    shown = task(training_desk, "gil", "draft_plan", plan_id).instructions or ""
    assert "**Contract law** ★★★ sam, sue" in shown and "**Excel** ★ fay, fred" in shown
    assert shown.index("Contract law") < shown.index("Excel") and "Public speaking" not in shown
