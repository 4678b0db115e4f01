"""A step after the form that refuses the submission (R-3.1: the colleague named to cover does not exist) answers
the API like a form's own check: 422 with messages per field, nothing stored, the task still ready."""
from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from casework.demo_org import seed_demo_org
from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files

from .conftest import error_of

DEMO_PASSWORD = "demo-pass-2026"


def test_a_refused_cover_is_422_per_field_in_the_callers_language_and_stores_nothing(
    app: Casedesk, clock: FakeClock, client: FlaskClient
) -> None:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "hr", PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, clock, DEMO_PASSWORD)
    token = client.post("/api/v1/auth/tokens", json={"username": "gus", "password": DEMO_PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}
    view = app.runtime.start_instance("leave_request", {}, actor="gus")
    (request,) = view.ready_tasks
    events_before = client.get(f"/api/v1/instances/{view.id}", headers=headers).json["events"]
    typed = {"leave_type": "annual", "first_day": (clock.now() + timedelta(days=7)).date().isoformat(),
             "last_day": (clock.now() + timedelta(days=9)).date().isoformat(),
             "leave_reason": "family visit", "cover": "nobody_here"}

    response = client.post(f"/api/v1/tasks/{request.id}/complete", json={"data": typed}, headers=headers)

    error = error_of(response)
    assert error["status"] == 422 and error["code"] == "invalid_input"
    assert error["fields"] == {"cover": ["没有此名称的在职用户。"]}
    # The handler's own sentence in the caller's language too, not only the fields' messages.
    assert error["message"].startswith("输入之后的步骤拒绝了它，因此没有保存任何内容")
    assert error["message"].endswith("没有名为“nobody_here”的在职用户可以代理您的工作")
    assert "to cover your work" not in error["message"]
    after = client.get(f"/api/v1/instances/{view.id}", headers=headers).json
    assert after["events"] == events_before  # no submission was stored
    assert [t["id"] for t in after["ready_tasks"]] == [request.id]
    in_english = client.post(f"/api/v1/tasks/{request.id}/complete", json={"data": typed},
                             headers={**headers, "Accept-Language": "en"})
    assert error_of(in_english)["fields"] == {"cover": ["There is no active user of this name."]}
    assert error_of(in_english)["message"].endswith("there is no active user 'nobody_here' to cover your work")
    traditional = error_of(client.post(f"/api/v1/tasks/{request.id}/complete", json={"data": typed},
                                       headers={**headers, "Accept-Language": "zh-TW"}))
    assert traditional["fields"] == {"cover": ["沒有此名稱的在職用戶。"]}
    assert traditional["message"].endswith("沒有名為「nobody_here」的在職用戶可以代理您的工作")
    fixed = client.post(f"/api/v1/tasks/{request.id}/complete", json={"data": {**typed, "cover": "gil"}},
                        headers=headers)
    assert fixed.status_code == 200, fixed.json
