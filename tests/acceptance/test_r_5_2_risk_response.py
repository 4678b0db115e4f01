"""R-5.2 Risk response: avoid, reduce, transfer or accept, with a responsible department and person,
approved by a leader (or returned for revision) before it is in force in the register."""
from __future__ import annotations

from typing import Iterator

import pytest

from engine.bootstrap import Casedesk
from engine.errors import InvalidInput
from tests.acceptance.case_support import _mail_server, _sms_server, desk, mailbox, sms  # noqa: F401 - fixtures
from tests.acceptance.risk_desk import (ASSESSED, IDENTIFIED, PLANNED, deploy_risk, risks, start_round)
from tests.support.steps import task, work


@pytest.fixture
def risk_desk(desk: Casedesk) -> Iterator[Casedesk]:  # noqa: F811
    yield deploy_risk(desk, "risk_assessment")


def assessed_risk(risk_desk: Casedesk) -> str:
    """A quarterly round with one credit risk identified and assessed."""
    round_id = start_round(risk_desk)
    work(risk_desk, "rex", "identify_risk", IDENTIFIED)
    work(risk_desk, "rex", "assess_risk", ASSESSED)
    return round_id


def test_r_5_2_an_approved_response_names_the_responsible_department_and_person(risk_desk: Casedesk) -> None:
    round_id = assessed_risk(risk_desk)
    work(risk_desk, "rex", "plan_response", PLANNED)
    [entry] = risks(risk_desk)
    assert (entry.status, entry.response, entry.responsible_department, entry.responsible_person) == (
        "planned", "reduce", "finance", "fred")
    assert risk_desk.runtime.list_tasks(user="rex", instance_id=round_id) == []
    assert "fred" in task(risk_desk, "leo", "approve_response").instructions

    done = work(risk_desk, "leo", "approve_response", {"response_approved": True, "approval_note": "Agreed. 同意。"})
    assert done.status == "completed"
    [entry] = risks(risk_desk)
    assert (entry.status, entry.approval_note) == ("approved", "Agreed. 同意。")


def test_r_5_2_a_returned_plan_is_revised_and_approved_again(risk_desk: Casedesk) -> None:
    assessed_risk(risk_desk)
    work(risk_desk, "rex", "plan_response", PLANNED)
    with pytest.raises(InvalidInput):  # returning a plan needs the reason
        work(risk_desk, "leo", "approve_response", {"response_approved": False, "approval_note": ""})
    work(risk_desk, "leo", "approve_response", {"response_approved": False,
                                                "approval_note": "Insure it instead. 改為投保。"})
    assert risks(risk_desk)[0].status == "returned"
    assert "Insure it instead" in task(risk_desk, "rex", "plan_response").instructions

    work(risk_desk, "rex", "plan_response", {**PLANNED, "risk_response": "transfer",
                                             "response_measures": "Credit insurance. 信用保險。"})
    done = work(risk_desk, "leo", "approve_response", {"response_approved": True, "approval_note": ""})
    assert done.status == "completed"
    [entry] = risks(risk_desk)
    assert (entry.status, entry.response, entry.measures) == ("approved", "transfer", "Credit insurance. 信用保險。")


def test_r_5_2_only_the_risk_owner_plans_and_only_a_leader_approves(risk_desk: Casedesk) -> None:
    assessed_risk(risk_desk)
    assert risk_desk.runtime.list_tasks(user="sam") == []
    work(risk_desk, "rex", "plan_response", PLANNED)
    assert risk_desk.runtime.list_tasks(user="rex") == []
    assert [t.task_spec for t in risk_desk.runtime.list_tasks(user="leo")] == ["approve_response"]
