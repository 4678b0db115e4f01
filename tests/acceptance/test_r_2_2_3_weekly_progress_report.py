"""R-2.2.3 Progress tracking: every Monday the tracker reports the open cases to departments and leaders,
and the report reaches every leader by e-mail, with the figures and a link to the open cases."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    _mail_server, _sms_server, accepted_case, desk, mailbox, sms)
from tests.support.notify_servers import Mailbox

MONDAY_0900_BEIJING = datetime(2026, 1, 12, 1, 0, tzinfo=timezone.utc)
REPORT = {"reported_to": "general manager", "summary": "One sales case is late.",
          "delays": "XS case: the supplier is late; Sue chases daily."}


def monday_report(desk: Casedesk, clock: FakeClock) -> tuple[str, str]:
    """The Monday job fires; returns the tracker's report task and its instance."""
    desk.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "reports", PROJECT_ROOT / "forms"), "owen")
    clock.set(MONDAY_0900_BEIJING - timedelta(minutes=1))
    desk.jobs.run_due(worker="test")  # the cases' own deadlines, if any
    assert [t for t in desk.runtime.list_tasks(user="tom") if t.task_spec == "report_to_leaders"] == []
    clock.set(MONDAY_0900_BEIJING)
    assert desk.jobs.run_due(worker="test") >= 1
    [task] = [t for t in desk.runtime.list_tasks(user="tom") if t.task_spec == "report_to_leaders"]
    assert task.due_at == clock.now() + timedelta(days=1)
    return task.id, task.instance_id


def test_r_2_2_3_tracker_reports_progress_every_monday_morning(desk: Casedesk, clock: FakeClock,
                                                                 mailbox: Mailbox) -> None:
    task_id, instance_id = monday_report(desk, clock)
    report = [json.loads(e.payload)["result"] for e in desk.history.events(instance_id)
              if e.type == "service_result"]
    assert [(r["open_cases"], r["overdue_cases"]) for r in report] == [(0, 0)]
    desk.runtime.warm.clear()
    done = desk.runtime.complete_task(task_id, {**REPORT, "summary": "no open cases", "delays": ""}, actor="tom")
    assert done.status == "completed"
    [mail] = mailbox.messages
    assert mail["To"] == "leo@casedesk.local"
    assert "Open cases: 0" in mail.get_content() and "no open cases" in mail.get_content()


def test_r_2_2_3_the_weekly_report_reaches_every_leader_with_the_figures_and_a_link(
        desk: Casedesk, clock: FakeClock, mailbox: Mailbox) -> None:
    clock.set(MONDAY_0900_BEIJING - timedelta(days=4))
    case = accepted_case(desk, "sales")  # sales: 3 days to handle (assignment.dmn), overdue by Monday
    desk.users.add_user("lea", "leader-pass-1", ["leader"])
    desk.digest.save_setting("lea", True, "lea@board.example.com", "zh-Hant")
    mailbox.reset()

    task_id, _ = monday_report(desk, clock)
    desk.runtime.warm.clear()
    desk.runtime.complete_task(task_id, REPORT, actor="tom")

    mails = {m["To"]: m for m in mailbox.messages}
    assert set(mails) == {"leo@casedesk.local", "lea@board.example.com"}
    number = case.service_results("case_number")[0]
    english, chinese = mails["leo@casedesk.local"].get_content(), mails["lea@board.example.com"].get_content()
    assert "Open cases: 1" in english and "Overdue cases: 1" in english and f"Overdue: {number}" in english
    assert "Handle the case: 1" in english
    assert REPORT["summary"] in english and REPORT["delays"] in english
    assert "/tracker" in english
    assert mails["lea@board.example.com"]["Subject"].startswith("每週進度報告")
    assert "在辦案件: 1" in chinese and "逾期案件: 1" in chinese and REPORT["summary"] in chinese


def test_r_2_2_3_a_report_with_no_leader_to_read_it_is_retried_then_an_incident_never_dropped(
        desk: Casedesk, clock: FakeClock, mailbox: Mailbox) -> None:
    desk.users.set_active("leo", False)  # the only leader has left
    task_id, instance_id = monday_report(desk, clock)
    view = desk.runtime.complete_task(task_id, REPORT, actor="tom")
    assert view.waiting_services and view.status == "running"
    for _ in range(4):
        clock.advance(timedelta(minutes=30))  # R3/PT5M: three retries, then an incident
        desk.jobs.run_due("test")
    [incident] = desk.incidents.list(instance_id=instance_id)
    assert "'leader' has no active member" in incident.error and mailbox.messages == []

    desk.users.set_active("leo", True)
    desk.incidents.retry(incident.id, actor="root")
    assert [m["To"] for m in mailbox.messages] == ["leo@casedesk.local"]
    assert desk.runtime.get_instance(instance_id).status == "completed"
