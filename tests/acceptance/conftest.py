"""Acceptance suite plumbing: every test's instances add to a per-process flow coverage, printed at
the end; a complete run of tests/acceptance fails when any sequence flow of processes/ was never taken."""
from __future__ import annotations

import json
from typing import Iterator

import pytest
from sqlalchemy import select

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.history.coverage import Flow, FlowCoverage, sequence_flows, taken_transitions
from engine.definitions.service import collect_files
from engine.models import InstanceEvent
from tests.support.walk_oracle import check_walks

ACCEPTANCE_DIR = PROJECT_ROOT / "tests" / "acceptance"
# The demo area shows the engine off; it is not regulation and is covered by the integration tests.
NOT_REGULATION = {"demo"}

_taken: set[tuple[str, str, str]] = set()


def regulation_flows() -> list[Flow]:
    flows = []
    for area in sorted(p for p in (PROJECT_ROOT / "processes").iterdir() if p.is_dir()):
        if area.name not in NOT_REGULATION:
            flows.extend(sequence_flows(collect_files(area)))
    return flows


@pytest.fixture(autouse=True)
def walks_match_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runtime walks task trees itself (engine.runtime.walk): every walk is checked against the library's."""
    check_walks(monkeypatch)


@pytest.fixture(autouse=True)
def record_flow_coverage(app: Casedesk) -> Iterator[None]:
    yield
    with app.db.unit_of_work(write=False) as session:
        rows = session.execute(select(InstanceEvent.type, InstanceEvent.task_id, InstanceEvent.payload)
                               .where(InstanceEvent.type.in_(("task_done", "task_ready"))))
        _taken.update(taken_transitions((type_, task_id, json.loads(payload)) for type_, task_id, payload in rows))


def _whole_suite_ran(session: pytest.Session) -> bool:
    """Coverage is judged only when nothing in tests/acceptance was left out of the run."""
    option = session.config.option
    if getattr(option, "keyword", "") or getattr(option, "markexpr", "") or getattr(option, "deselect", None):
        return False
    if getattr(option, "lf", False) or getattr(option, "last_failed", False):
        return False
    for arg in session.config.args:
        path = (session.config.invocation_params.dir / arg.split("::")[0]).resolve()
        if "::" in arg or not (path == ACCEPTANCE_DIR or ACCEPTANCE_DIR.is_relative_to(path)):
            return False
    return True


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not any(item.path.is_relative_to(ACCEPTANCE_DIR) for item in getattr(session, "items", [])):
        return
    coverage = FlowCoverage(regulation_flows(), _taken)
    complete = _whole_suite_ran(session)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("=", "sequence-flow coverage of processes/ (acceptance tests)")
        reporter.write_line(coverage.report())
        if not complete:
            reporter.write_line("(part of tests/acceptance was left out of this run: coverage not judged)")
    if complete and coverage.missing() and session.exitstatus == 0:
        if reporter is not None:
            reporter.write_line(f"FAILED: {len(coverage.missing())} sequence flows were never taken", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def every_instance_replays_as_verified(app: Casedesk) -> Iterator[None]:
    """Design "History and replay": every instance a test produced re-executes from its recorded
    inputs on its pinned version to the same events and state, with an intact chain."""
    yield
    reports = [app.history.replay(instance_id) for instance_id in app.history.instance_ids()]
    failed = [report.as_dict() for report in reports if not report.verified]
    assert not failed, f"{len(failed)} of {len(reports)} instance(s) do not replay as verified: {failed}"
