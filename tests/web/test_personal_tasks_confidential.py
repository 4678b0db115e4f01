"""R-3.1 confidentiality: a task the process put in one person's hands (a leave request) is theirs to read;
colleagues who share a group with them neither open it nor find its case, until it waits unclaimed for them."""
from __future__ import annotations

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from casework.demo_org import seed_demo_org
from flask import Flask

DEMO_PASSWORD = "demo-pass-2026"


def test_a_colleague_cannot_read_a_leave_request_in_the_requesters_hands(app: Casedesk, clock: FakeClock,
                                                                          web: Flask) -> None:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "hr", PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, clock, DEMO_PASSWORD)
    view = app.runtime.start_instance("leave_request", {}, actor="gus")
    (request,) = view.ready_tasks
    assert request.assignee == "gus"
    for user, may_read in (("gus", True), ("ivy", False), ("sam", False)):
        client = web.test_client()
        assert client.post("/login", data={"username": user, "password": DEMO_PASSWORD}).status_code == 302
        task_page = client.get(f"/tasks/{request.id}")
        case_page = client.get(f"/instances/{view.id}")
        listed = view.id in client.get("/instances").get_data(as_text=True)
        assert (task_page.status_code == 200, case_page.status_code == 200, listed) == (may_read,) * 3, user
        if not may_read:  # who holds it, never what it holds
            assert task_page.status_code == 403 and "gus has claimed this task." in task_page.get_data(as_text=True)
            assert "leave_type" not in task_page.get_data(as_text=True)
    auditor = web.test_client()
    app.users.add_user("u_audit", DEMO_PASSWORD, ["auditor"])
    assert auditor.post("/login", data={"username": "u_audit", "password": DEMO_PASSWORD}).status_code == 302
    assert auditor.get(f"/instances/{view.id}").status_code == 200
