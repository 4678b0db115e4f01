"""R-2.2.3 Progress tracking: every Monday the tracker reports the open cases to departments and leaders."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files


def test_r_2_2_3_tracker_reports_progress_every_monday_morning(app: Casedesk) -> None:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "reports", PROJECT_ROOT / "forms"), "owen")
    app.users.add_user("tina", "tracker-pass-1", ["tracker"])
    app.clock.set(datetime(2026, 1, 12, 0, 59, tzinfo=timezone.utc))
    assert app.jobs.run_due(worker="test") == 0
    app.clock.set(datetime(2026, 1, 12, 1, 0, tzinfo=timezone.utc))  # Monday 09:00 in Beijing
    assert app.jobs.run_due(worker="test") == 1

    [task] = app.runtime.list_tasks(user="tina")
    assert task.task_spec == "report_to_leaders" and task.due_at == app.clock.now() + timedelta(days=1)
    report = [json.loads(e.payload)["result"] for e in app.history.events(task.instance_id)
              if e.type == "service_result"]
    assert [(r["open_cases"], r["overdue_cases"]) for r in report] == [(0, 0)]
    app.runtime.warm.clear()
    done = app.runtime.complete_task(task.id, {"reported_to": "general manager", "summary": "no open cases"},
                                     actor="tina")
    assert done.status == "completed"
