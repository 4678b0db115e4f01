"""R-7.1 Training needs analysis (培訓需求分析): every year, or when the training owner starts one, every member
and head of the departments answers a survey in their own inbox, the appraisal results (R-4.3) propose those
who were late or had findings, the owner interviews staff, and all of it becomes one needs list by skill."""
from __future__ import annotations

from datetime import timedelta
from typing import Iterator

import pytest

from casework.training import TIMELINESS
from casework.training_models import TrainingNeed
from engine.bootstrap import Casedesk
from engine.errors import CasedeskError, Forbidden, InvalidInput
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    _mail_server, _sms_server, accepted_case, desk, mailbox, sms)
from tests.acceptance.quality_support import SATISFIED, finished_case
from tests.acceptance.training_desk import (INTERVIEW, SURVEYED, YEARLY_ANALYSIS, answer_all, deploy_training,
                                            needs_list, rows)
from tests.support.steps import task, tasks, work


@pytest.fixture
def training_desk(desk: Casedesk) -> Iterator[Casedesk]:  # noqa: F811
    yield deploy_training(desk)


def test_r_7_1_1_the_yearly_analysis_surveys_every_member_of_every_department_in_their_own_inbox(
        training_desk: Casedesk) -> None:
    training_desk.clock.set(YEARLY_ANALYSIS - timedelta(minutes=1))  # type: ignore[attr-defined]
    assert training_desk.jobs.run_due(worker="test") == 0
    training_desk.clock.set(YEARLY_ANALYSIS)  # type: ignore[attr-defined]
    assert training_desk.jobs.run_due(worker="test") == 1
    for person in SURVEYED:
        [survey] = tasks(training_desk, person, "answer_survey")
        assert survey.assignee == person
    assert tasks(training_desk, "ivy", "answer_survey") == [] and tasks(training_desk, "leo", "answer_survey") == []
    round_id = task(training_desk, "sam", "answer_survey").instance_id
    answer_all(training_desk, round_id)
    assert {(n.person, n.skill, n.source) for n in rows(training_desk, TrainingNeed)} >= {
        ("sam", "Contract law", "survey"), ("sam", "Negotiation", "survey"), ("fay", "Excel", "survey")}
    assert task(training_desk, "leo", "record_interview").instance_id == round_id  # leo and gil own training
    work(training_desk, "leo", "record_interview", INTERVIEW)
    done = work(training_desk, "leo", "confirm_needs", {"needs_conclusion": "Contract law for sales."})
    assert done.status == "completed" and done.id == round_id


def test_r_7_1_2_surveys_interviews_and_appraisal_results_become_one_needs_list_by_skill(
        training_desk: Casedesk) -> None:
    finished_case(training_desk, "sales")
    late = accepted_case(training_desk, "finance")
    training_desk.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]  # past the finance deadline
    late.work("fay", "handle_case", {"outcome": "done", "result": "Paid."})
    late.work("fay", "record_feedback", SATISFIED)

    round_id = training_desk.runtime.start_instance("training_needs", {}, actor="gil").id
    answer_all(training_desk, round_id)
    interview = task(training_desk, "gil", "record_interview", round_id)
    assert interview.instructions is not None
    assert f"**fay**: {TIMELINESS} ★★★" in interview.instructions  # fay was late
    assert "**sam**" not in interview.instructions
    work(training_desk, "gil", "record_interview", {**INTERVIEW, "more_interviews": True}, round_id)
    with pytest.raises(CasedeskError, match="no active user named 'nobody'"):
        work(training_desk, "gil", "record_interview", {**INTERVIEW, "interviewee": "nobody"}, round_id)
    work(training_desk, "gil", "record_interview", {**INTERVIEW, "interviewee": "fay",
                                                    "interview_skill": TIMELINESS,
                                                    "interview_priority": "low"}, round_id)
    confirm = task(training_desk, "gil", "confirm_needs", round_id)
    needs = needs_list(training_desk, round_id)
    by_skill = {n["skill"]: n for n in needs}
    assert by_skill["Negotiation"]["priority"] == "high" and by_skill["Negotiation"]["people"] == ["sam", "sue"]
    assert by_skill["Negotiation"]["sources"] == ["survey", "interview"]
    assert by_skill[TIMELINESS]["people"] == ["fay"]
    assert by_skill[TIMELINESS]["sources"] == ["appraisal", "interview"]
    assert needs[0]["priority"] == "high"
    assert confirm.instructions is not None
    assert confirm.instructions.index("**Negotiation**") < confirm.instructions.index("**Excel**")
    done = work(training_desk, "gil", "confirm_needs", {"needs_conclusion": "Negotiation and timeliness first."},
                round_id)
    assert done.status == "completed"
    appraisal = [n for n in rows(training_desk, TrainingNeed) if n.source == "appraisal"]
    assert [(n.person, n.department) for n in appraisal] == [("fay", "finance")]


def test_r_7_1_only_the_training_owner_starts_an_analysis_and_a_survey_needs_an_answer(
        training_desk: Casedesk) -> None:
    with pytest.raises(Forbidden):
        training_desk.runtime.start_instance("training_needs", {}, actor="sam")
    round_id = training_desk.runtime.start_instance("training_needs", {}, actor="leo").id
    with pytest.raises(InvalidInput):
        work(training_desk, "sam", "answer_survey", {"needed_skills": "", "skills_priority": "high",
                                                     "survey_comment": ""}, round_id)
    assert rows(training_desk, TrainingNeed) == []


def test_r_7_1_2_the_survey_closes_after_fourteen_days_and_the_analysis_goes_on_with_the_answers_in(
        training_desk: Casedesk) -> None:
    round_id = training_desk.runtime.start_instance("training_needs", {}, actor="gil").id
    for person in ("sam", "sue"):
        work(training_desk, person, "answer_survey", {"needed_skills": "Negotiation", "skills_priority": "medium",
                                                      "survey_comment": ""}, round_id)
    training_desk.clock.advance(timedelta(days=13, hours=23))  # type: ignore[attr-defined]
    training_desk.jobs.run_due(worker="test")
    assert len(tasks(training_desk, "fay", "answer_survey", round_id)) == 1
    assert tasks(training_desk, "gil", "record_interview", round_id) == []
    training_desk.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    training_desk.jobs.run_due(worker="test")
    assert all(tasks(training_desk, person, "answer_survey", round_id) == [] for person in SURVEYED)
    work(training_desk, "gil", "record_interview", {**INTERVIEW, "interviewee": "fay", "interview_skill": "Excel"},
         round_id)
    work(training_desk, "gil", "confirm_needs", {"needs_conclusion": "Negotiation."}, round_id)
    assert [(n["skill"], n["people"]) for n in needs_list(training_desk, round_id)] == [
        ("Negotiation", ["sam", "sue"]), ("Excel", ["fay"])]
