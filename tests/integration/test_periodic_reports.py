"""Timer-started periodic processes: the weekly progress report (R-2.2.3) and the monthly archive inventory (R-6.3)."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest

from casework import archive_register, outbox
from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock, isoformat
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files

FORMS = PROJECT_ROOT / "forms"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn"


def service_results(app: Casedesk, key: str) -> list[tuple[str, Any]]:
    results = []
    for instance in app.runtime.list_instances(process_key=key):
        for event in app.history.events(instance.id):
            if event.type == "service_result":
                results.append((instance.id, json.loads(event.payload)["result"]))
    return results


@pytest.fixture
def outbox_app(app: Casedesk, clock: FakeClock) -> Iterator[Casedesk]:
    """`app` keeping its mail in the outbox: the report is mailed to the leaders (R-2.2.3)."""
    casedesk = bootstrap(replace(app.settings, notify_transport="outbox"), clock=clock, run_migrations=False)
    yield casedesk
    casedesk.close()


def test_weekly_progress_report_goes_to_the_tracker_every_monday_morning(outbox_app: Casedesk,
                                                                          clock: FakeClock) -> None:
    """R-2.2.3: open cases by stage with overdue flags, every Monday 09:00 Beijing time (01:00 UTC)."""
    app = outbox_app
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "reports", FORMS), "owen")
    app.definitions.deploy(collect_files(FIXTURES / "report_cases"), "owen")
    app.users.add_user("tina", "correct-horse-1", ["tracker"])
    app.users.add_user("lena", "correct-horse-1", ["leader"])
    app.users.add_user("sam", "correct-horse-1", ["sales"])
    late = app.runtime.start_instance("business_case", {"case_number": "XS-20260105-001",
                                                        "deadline": isoformat(clock.now() + timedelta(days=2))}, "sam")
    app.runtime.start_instance("business_case", {"case_number": "XS-20260105-002",
                                                  "deadline": isoformat(clock.now() + timedelta(days=30))}, "sam")

    clock.set(datetime(2026, 1, 12, 0, 59, tzinfo=timezone.utc))
    assert app.jobs.run_due("test") == 0
    clock.set(datetime(2026, 1, 12, 1, 0, tzinfo=timezone.utc))
    assert app.jobs.run_due("test") == 1

    [(report_instance, report)] = service_results(app, "weekly_progress")
    assert report["open_cases"] == 2 and report["overdue_cases"] == 1
    assert [c["case_number"] for c in report["overdue"]] == ["XS-20260105-001"]
    assert report["overdue"][0]["instance"] == late.id
    assert report["by_stage"] == {"Handle the case": 2} and report["by_group"] == {"sales": 2}
    [task] = app.runtime.list_tasks(user="tina")
    assert task.instance_id == report_instance and task.due_at == clock.now() + timedelta(days=1)
    app.runtime.complete_task(task.id, {"reported_to": "general manager", "summary": "2 open, 1 late",
                                        "delays": "XS-20260105-001 escalated to sales_head"}, actor="tina")
    assert app.runtime.get_instance(report_instance).status == "completed"
    with app.db.unit_of_work(write=False) as session:
        mailed = [(m.recipient, m.subject) for m in outbox.recent(session)]
    assert [to for to, _ in mailed] == ["lena@casedesk.local"]

    clock.advance(timedelta(days=7))
    assert app.jobs.run_due("test") == 1  # and again the next Monday


def test_monthly_archive_inventory_runs_on_the_first_of_every_month(app: Casedesk, clock: FakeClock) -> None:
    """R-6.3: a periodic inventory for completeness, checked by the archive manager."""
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "archive", FORMS), "owen")
    app.users.add_user("ava", "correct-horse-1", ["archivist"])
    borrowing = app.runtime.start_instance("document_review", {"title": "stands in for a borrowing"}, "alice")
    with app.db.transaction() as conn:
        done = archive_register.open_archive(conn, clock.now(), "XS-20260105-001", "sales", "Contract A",
                                             ["application form"], None)
        archive_register.file_case_records(conn, clock.now(), done, {"result": "signed"}, None)
        lent = archive_register.open_archive(conn, clock.now(), "CW-20260105-001", "finance", "Payment B",
                                             ["invoice"], None)
        archive_register.request_borrowing(conn, clock.now(), borrowing.id, lent, "audit", 30)
        archive_register.grant_borrowing(conn, clock.now(), borrowing.id)

    clock.set(datetime(2026, 2, 1, 0, 59, tzinfo=timezone.utc))
    assert app.jobs.run_due("test") == 0
    clock.set(datetime(2026, 2, 1, 1, 0, tzinfo=timezone.utc))  # 09:00 in Beijing
    assert app.jobs.run_due("test") == 1

    [(instance_id, inventory)] = service_results(app, "monthly_archive_inventory")
    assert inventory["archives_per_class"] == {"finance": 1, "sales": 1}
    assert inventory["complete"] is True and inventory["findings"] == []
    [task] = app.runtime.list_tasks(user="ava")
    app.runtime.complete_task(task.id, {"complete": True, "findings": "all present"}, actor="ava")
    assert app.runtime.get_instance(instance_id).status == "completed"

    clock.set(datetime(2026, 3, 1, 1, 0, tzinfo=timezone.utc))  # February is 28 days: the calendar month counts
    assert app.jobs.run_due("test") == 1
    [_, (_, march)] = sorted(service_results(app, "monthly_archive_inventory"), key=lambda r: r[1]["as_of"])
    assert [f["archive"] for f in march["findings"]] == [lent]  # the loan ran out on 4 February
    assert march["complete"] is False
