"""R-5.1 Risk identification and assessment: every quarter the risk owner identifies market, credit and
operational risks and assesses each one's level and impact; each step writes the risk register."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterator

import pytest

from engine.bootstrap import Casedesk
from engine.errors import CasedeskError, InvalidInput
from tests.acceptance.case_support import _mail_server, _sms_server, desk, mailbox, sms  # noqa: F401 - fixtures
from tests.acceptance.risk_desk import (ASSESSED, IDENTIFIED, PLANNED, deploy_risk, risks, start_round)
from tests.support.steps import task, work


@pytest.fixture
def risk_desk(desk: Casedesk) -> Iterator[Casedesk]:  # noqa: F811
    yield deploy_risk(desk, "risk_assessment")


def test_r_5_1_a_quarterly_round_registers_and_assesses_each_identified_risk(risk_desk: Casedesk) -> None:
    round_id = start_round(risk_desk)
    assert risk_desk.runtime.list_tasks(user="sam") == []
    work(risk_desk, "rex", "identify_risk", {**IDENTIFIED, "more_risks": True})
    [entry] = risks(risk_desk)
    assert (entry.number, entry.category, entry.status, entry.instance_id) == (
        "FX-2026-0001", "credit", "identified", round_id)
    assert "FX-2026-0001" in task(risk_desk, "rex", "assess_risk").instructions

    work(risk_desk, "rex", "assess_risk", ASSESSED)
    [entry] = risks(risk_desk)
    assert (entry.status, entry.level, entry.impact) == ("assessed", "high", "severe")


def test_r_5_1_several_categories_in_one_round_each_get_their_own_number(risk_desk: Casedesk) -> None:
    start_round(risk_desk)
    for category, more in (("market", True), ("operational", False)):
        work(risk_desk, "rex", "identify_risk", {**IDENTIFIED, "risk_category": category, "more_risks": more})
        work(risk_desk, "rex", "assess_risk", {**ASSESSED, "risk_level": "medium"})
        work(risk_desk, "rex", "plan_response", PLANNED)
        done = work(risk_desk, "leo", "approve_response", {"response_approved": True, "approval_note": ""})
    assert done.status == "completed"
    assert [(r.number, r.category, r.level, r.status) for r in risks(risk_desk)] == [
        ("FX-2026-0001", "market", "medium", "approved"), ("FX-2026-0002", "operational", "medium", "approved")]


def test_r_5_1_an_unknown_category_is_refused_and_nothing_is_registered(risk_desk: Casedesk) -> None:
    start_round(risk_desk)
    with pytest.raises(InvalidInput):
        work(risk_desk, "rex", "identify_risk", {**IDENTIFIED, "risk_category": "weather"})
    assert risks(risk_desk) == []
    assert task(risk_desk, "rex", "identify_risk")


def test_r_5_1_the_next_quarter_reassesses_an_approved_risk_under_its_own_number(risk_desk: Casedesk) -> None:
    start_round(risk_desk)
    work(risk_desk, "rex", "identify_risk", IDENTIFIED)
    work(risk_desk, "rex", "assess_risk", ASSESSED)
    work(risk_desk, "rex", "plan_response", PLANNED)
    work(risk_desk, "leo", "approve_response", {"response_approved": True, "approval_note": ""})

    risk_desk.clock.set(datetime(2026, 7, 5, 1, 0, tzinfo=timezone.utc))  # the next quarter's round
    assert risk_desk.jobs.run_due(worker="test") == 1
    second_round = task(risk_desk, "rex", "identify_risk").instance_id
    with pytest.raises(CasedeskError, match="no risk FX-2026-0099"):
        work(risk_desk, "rex", "identify_risk", {**IDENTIFIED, "existing_risk": "FX-2026-0099"})
    with pytest.raises(InvalidInput):
        work(risk_desk, "rex", "identify_risk", {**IDENTIFIED, "existing_risk": "risk one"})
    work(risk_desk, "rex", "identify_risk", {**IDENTIFIED, "existing_risk": "FX-2026-0001"})
    work(risk_desk, "rex", "assess_risk", {**ASSESSED, "risk_level": "low", "risk_impact": "minor"})
    [entry] = risks(risk_desk)
    assert (entry.number, entry.status, entry.level, entry.impact, entry.instance_id) == (
        "FX-2026-0001", "assessed", "low", "minor", second_round)
