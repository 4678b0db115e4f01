"""R-2.2 Processing (業務處理流程): assignment by the decision table, handling, escalation to the head."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.errors import InvalidInput
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    DEPARTMENT_STAFF, _mail_server, _sms_server, accepted_case, desk, mailbox, sms)

# What assignment.dmn says per business type: department group, deadline, quality requirement.
ASSIGNMENT = {
    "sales": ("sales", timedelta(days=3), "R-3.2.1"),
    "procurement": ("procurement", timedelta(days=5), "R-3.2.2"),
    "finance": ("finance", timedelta(days=2), "R-3.2.3"),
    "general": ("general", timedelta(days=5), "R-2.2.2"),
}


@pytest.mark.parametrize("business_type", sorted(ASSIGNMENT))
def test_r_2_2_1_case_is_assigned_to_the_department_of_its_business_type(
        desk: Casedesk, clock: FakeClock, business_type: str) -> None:
    case = accepted_case(desk, business_type)
    department, deadline, clause = ASSIGNMENT[business_type]
    handler, head = DEPARTMENT_STAFF[business_type]

    task = case.task(handler, "handle_case")
    assert task.title == "Handle the case"
    assert task.candidate_group == department
    assert task.due_at == clock.now() + deadline
    # Nobody outside the department sees it: not the intake clerk, not other departments, not the head.
    others = {user for staff in DEPARTMENT_STAFF.values() for user in staff} - {handler}
    for user in sorted(others | {"ivy", "tom"}):
        assert case.inbox(user) == [], user
    assigned = case.events("task_done")
    decision = next(e for e in assigned if e["element"] == "assign_department")["delta"]["set"]
    assert decision["department"] == department
    assert clause in decision["quality_requirement"]


def test_r_2_2_2_a_problem_goes_to_the_head_who_answers_and_returns_the_case(desk: Casedesk) -> None:
    case = accepted_case(desk, "procurement")
    with pytest.raises(InvalidInput) as refused:  # "done" needs the result the customer will get
        case.work("pat", "handle_case", {"outcome": "done", "result": "", "problem": ""})
    assert list(refused.value.field_errors) == ["result"]
    # As a web form sends it: the unused box comes as an empty string.
    case.work("pat", "handle_case", {"outcome": "problem", "result": "", "problem": "Supplier cannot deliver in time."})

    assert case.inbox("pat") == []
    answer = case.task("peg", "supervisor_answer")
    assert answer.title == "Supervisor answers"
    assert case.inbox("sue") == [] and case.inbox("fred") == []  # only this department's head

    case.work("peg", "supervisor_answer", {"supervisor_answer": "Use the second supplier on the list."})
    assert case.titles("pat") == ["Handle the case"]
    assert case.inbox("peg") == []
    case.work("pat", "handle_case", {"outcome": "done", "result": "Ordered from the second supplier."})
    assert case.titles("pat") == ["Record the customer's feedback"]  # on to feedback
    done = [e for e in case.events("task_done") if e["element"] == "supervisor_answer"]
    assert done[0]["delta"]["set"]["supervisor_answer"] == "Use the second supplier on the list."
