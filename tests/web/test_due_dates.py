"""Due dates as staff and trackers see them: overdue marks, the due filter and sorting, overdue first
in the tracker, and the report's on-time rate (R-2.2.1, R-2.2.3)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from tests.conftest import PASSWORD
from tests.web.conftest import LoginAs

ROUTING = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "routing"


def _handle_task(app: Casedesk, instance_id: str) -> str:
    return next(t.id for t in app.runtime.list_tasks(instance_id=instance_id) if t.task_spec == "handle")


@pytest.fixture
def dated(app: Casedesk, clock: FakeClock, login_as: LoginAs) -> dict[str, str]:
    """Three sales tasks due in 1 hour, 1 day and 3 days; then two hours pass."""
    app.definitions.deploy(collect_files(ROUTING), "owen")
    app.users.add_user("ivy", PASSWORD, ["intake"])
    tasks = {}
    for serial, deadline in ((1, "P3D"), (2, "PT1H"), (3, "P1D")):
        view = app.runtime.start_instance("routed", {"department": "sales", "deadline": deadline, "handler": "",
                                                     "serial": serial}, actor="ivy")
        tasks[deadline] = _handle_task(app, view.id)
    clock.advance(timedelta(hours=2))
    return tasks


def _rows(page: str) -> list[str]:
    return re.findall(r'data-task="([^"]+)"', page)


def test_r_2_2_1_inbox_sorts_by_due_date_and_marks_the_overdue_task(dated: dict[str, str], login_as: LoginAs) -> None:
    page = login_as("outsider").get("/inbox?sort=due").get_data(as_text=True)  # the outsider is in sales
    assert _rows(page) == [dated["PT1H"], dated["P1D"], dated["P3D"]]
    overdue_rows = re.findall(r'<tr class="overdue" data-task="([^"]+)"', page)
    assert overdue_rows == [dated["PT1H"]]
    assert "Overdue" in page


def test_inbox_due_filter_picks_overdue_and_soon(dated: dict[str, str], login_as: LoginAs) -> None:
    sales = login_as("outsider")
    assert _rows(sales.get("/inbox?due=overdue").get_data(as_text=True)) == [dated["PT1H"]]
    assert _rows(sales.get("/inbox?due=soon").get_data(as_text=True)) == [dated["P1D"]]
    assert _rows(sales.get("/inbox?due=undated").get_data(as_text=True)) == []


def test_r_2_2_3_tracker_puts_overdue_first_and_the_report_counts_on_time_work(
        app: Casedesk, dated: dict[str, str], login_as: LoginAs) -> None:
    tracker = login_as("tracker")
    page = tracker.get("/tracker").get_data(as_text=True)
    handle_rows = re.findall(r'<tr class="(overdue)?">\s*<td><a href="/instances/([^"]+)"', page)
    assert handle_rows[0][0] == "overdue"
    app.users.add_user("sam", PASSWORD, ["sales"])
    app.runtime.complete_task(dated["P1D"], {}, actor="sam")   # in time
    app.runtime.complete_task(dated["PT1H"], {}, actor="sam")  # an hour late
    report = tracker.get("/tracker/report?period=all").get_data(as_text=True)
    assert re.search(r'data-figure="on-time">50%<', report)
    assert re.search(r'data-figure="overdue"[^>]*>0<', report)  # the late task is done now
