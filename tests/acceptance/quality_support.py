"""Drivers for the quality-control acceptance tests (R-4): the case chain and the quality processes
deployed, the demo organisation seeded, finished cases to inspect, and inspections fired by their timers."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from casework.quality import FINDINGS
from engine.bootstrap import Casedesk
from engine.runtime.store import TaskView
from tests.acceptance.case_support import CASE_PROCESSES, DEPARTMENT_STAFF, Case, handled_case
from tests.support.steps import area_files, complete_cold, rows, run_due_at, tasks

STANDARDS = "quality_standards.dmn"  # in processes/case: the case chain and the inspections read it
SATISFIED = {"satisfaction": "satisfied", "opinion": "Fine. 很好。", "feedback_problem": ""}
# First occurrences after the fake clock's deployment (2026-01-05 09:00 UTC), 09:00 in Beijing.
PEER_CHECK = datetime(2026, 1, 10, 1, 0, tzinfo=timezone.utc)
SUPERIOR_CHECK = datetime(2026, 1, 20, 1, 0, tzinfo=timezone.utc)
SELF_CHECK = datetime(2026, 1, 25, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def quality_desk(desk: Casedesk) -> Iterator[Casedesk]:
    """The case chain's desk (real notice servers, demo users incl. quinn, the quality owner) with the
    quality processes deployed beside it, as `casedesk deploy processes` deploys them."""
    desk.definitions.deploy(quality_bundle(), "quinn")
    yield desk


def quality_bundle(**changed: bytes) -> dict[str, bytes]:
    """processes/quality with the standards table it shares with the case chain (processes/case)."""
    return {**area_files("quality"), STANDARDS: (CASE_PROCESSES / STANDARDS).read_bytes(), **changed}


def finished_case(desk: Casedesk, business_type: str = "sales", feedback: dict[str, Any] | None = None) -> Case:
    """A case handled by the department and closed on the customer's feedback."""
    case = handled_case(desk, business_type)
    case.work(DEPARTMENT_STAFF[business_type][0], "record_feedback", feedback or SATISFIED)
    return case


def fire(desk: Casedesk, moment: datetime, process_key: str) -> str:
    """Move the clock to `moment`, run what is due, and return the one instance of `process_key` it started."""
    before = {view.id for view in desk.runtime.list_instances(process_key=process_key)}
    run_due_at(desk, moment)
    started = [view.id for view in desk.runtime.list_instances(process_key=process_key) if view.id not in before]
    assert len(started) == 1, f"{process_key}: {len(started)} instances started at {moment}"
    return started[0]


def tasks_of(desk: Casedesk, instance_id: str, user: str, spec: str) -> list[TaskView]:
    return tasks(desk, user, spec, instance_id)


def work(desk: Casedesk, task: TaskView, user: str, data: dict[str, Any]) -> None:
    """Complete the task cold (no warm workflow), as after a restart."""
    complete_cold(desk, task, user, data)


def findings_register(desk: Casedesk) -> list[Any]:
    return rows(desk, select(FINDINGS).order_by(FINDINGS.c.recorded_at, FINDINGS.c.id))
