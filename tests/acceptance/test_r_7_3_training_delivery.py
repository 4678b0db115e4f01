"""R-7.3 Training delivery (培訓實施與管理): on each session's day the sign-in list is confirmed (attendance per
person) and the training record kept; every participant who came is assessed, every absentee is followed up by
their head; each person's training record shows it all."""
from __future__ import annotations

from typing import Iterator

import pytest

from casework.training_models import TrainingAttendance, TrainingPlan, TrainingSession
from casework.training_records import TrainingRecords
from engine.bootstrap import Casedesk
from engine.errors import CasedeskError, InvalidInput
from tests.acceptance.case_support import _mail_server, _sms_server, desk, mailbox, sms  # noqa: F401 - fixtures
from tests.acceptance.training_desk import (FIRST_SESSION, SECOND_SESSION, approved_plan, deploy_training, rows,
                                            session_day)
from tests.support.steps import task, tasks, work

FIRST, SECOND = "PX-2026-0001-1", "PX-2026-0001-2"
RECORD = {"absentees": "gus", "session_record": "Clauses 1-12, two case studies. 第1至12條，兩個案例。"}


@pytest.fixture
def training_desk(desk: Casedesk) -> Iterator[Casedesk]:  # noqa: F811
    yield deploy_training(desk)


def attendance(desk: Casedesk, session: str) -> dict[str, tuple[object, ...]]:
    return {a.person: (a.attended, a.score, a.passed, a.follow_up)
            for a in rows(desk, TrainingAttendance) if a.session_number == session}


def test_r_7_3_sign_in_assessment_and_absence_follow_up_make_each_person_s_training_record(
        training_desk: Casedesk) -> None:
    plan_id = approved_plan(training_desk)
    session_day(training_desk, FIRST_SESSION)
    sign_in = task(training_desk, "gil", "confirm_sign_in", plan_id)
    assert sign_in.instructions is not None and "- sam" in sign_in.instructions and FIRST in sign_in.instructions
    assert tasks(training_desk, "sam", "confirm_sign_in") == []
    work(training_desk, "gil", "confirm_sign_in", RECORD, plan_id)

    [first, second] = rows(training_desk, TrainingSession)
    assert (first.status, first.record, second.status) == ("held", RECORD["session_record"], "scheduled")
    assert attendance(training_desk, FIRST) == {"fay": (True, None, None, None), "gus": (False, None, None, None),
                                                "sam": (True, None, None, None)}
    assessments = tasks(training_desk, "leo", "assess_participant", plan_id)
    assert sorted(t.instructions or "" for t in assessments) == [f"**fay** · {FIRST}", f"**sam** · {FIRST}"]
    assert tasks(training_desk, "fred", "follow_up_absence") == []  # gus works in general affairs: gil follows up
    assert task(training_desk, "gil", "follow_up_absence", plan_id).instructions == f"**gus** · {FIRST}"

    with pytest.raises(InvalidInput):  # a score is out of 100
        training_desk.runtime.complete_task(assessments[0].id, {"training_score": 130, "assessment_remark": ""}, "leo")
    for assessment in assessments:
        score = 85 if "sam" in (assessment.instructions or "") else 40
        training_desk.runtime.warm.clear()
        training_desk.runtime.complete_task(assessment.id, {"training_score": score, "assessment_remark": ""}, "leo")
    work(training_desk, "gil", "follow_up_absence", {"absence_outcome": "make_up",
                                                    "absence_note": "Was at a customer's. 拜訪客戶。"}, plan_id)
    assert attendance(training_desk, FIRST) == {"fay": (True, 40, False, None), "gus": (False, None, None, "make_up"),
                                                "sam": (True, 85, True, None)}

    session_day(training_desk, SECOND_SESSION)
    work(training_desk, "leo", "confirm_sign_in", {**RECORD, "absentees": ""}, plan_id)
    assert tasks(training_desk, "gil", "follow_up_absence") == []
    for assessment in tasks(training_desk, "gil", "assess_participant", plan_id):
        training_desk.runtime.warm.clear()
        training_desk.runtime.complete_task(assessment.id, {"training_score": 75, "assessment_remark": "OK"}, "gil")
    assert training_desk.runtime.get_instance(plan_id).status == "completed"
    [plan] = rows(training_desk, TrainingPlan)
    assert plan.status == "approved"

    records = TrainingRecords(training_desk.db)
    everyone = records.overview(records.scope("leo", frozenset({"leader", "training", "staff"})))
    assert [(r.session, r.attended, r.score, r.follow_up) for r in everyone.records["gus"]] == [
        (SECOND, True, 75, None), (FIRST, False, None, "make_up")]
    own = records.overview(records.scope("sam", frozenset({"sales", "staff"})))
    assert list(own.records) == ["sam"] and [s.number for s in own.sessions] == [SECOND, FIRST]
    head = records.overview(records.scope("gil", frozenset({"general_head", "staff"})))
    assert list(head.records) == ["gus"]  # gil heads general affairs; gus is its member


def test_r_7_3_an_absentee_not_on_the_sign_in_list_is_refused(training_desk: Casedesk) -> None:
    plan_id = approved_plan(training_desk, plan_session_count=1)
    session_day(training_desk, FIRST_SESSION)
    with pytest.raises(CasedeskError, match="not on the sign-in list"):
        work(training_desk, "gil", "confirm_sign_in", {**RECORD, "absentees": "gus pat"}, plan_id)
    assert attendance(training_desk, FIRST) == {p: (None, None, None, None) for p in ("fay", "gus", "sam")}
    work(training_desk, "gil", "confirm_sign_in", {**RECORD, "absentees": "fay, gus, sam"}, plan_id)
    for person in ("fay", "sam"):
        work(training_desk, "fred" if person == "fay" else "sue", "follow_up_absence",
             {"absence_outcome": "excused" if person == "fay" else "warned", "absence_note": "Noted."}, plan_id)
    work(training_desk, "gil", "follow_up_absence", {"absence_outcome": "warned", "absence_note": "Noted."}, plan_id)
    assert training_desk.runtime.get_instance(plan_id).status == "completed"
    assert {p: a[3] for p, a in attendance(training_desk, FIRST).items()} == {
        "fay": "excused", "gus": "warned", "sam": "warned"}
