"""Administrators in the browser: users and groups, incidents (inspect, retry), jobs, the outbox; the team page."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from flask import Flask

from casework import outbox
from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from handlers.context import HandlerContext
from handlers.registry import build_registry
from tests.conftest import DEMO_USERS, PASSWORD
from tests.web.conftest import LoginAs, Scenario
from web.app import create_app


def _text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def _login(flask_app: Flask, username: str, password: str = PASSWORD, language: str = "en") -> Any:
    client = flask_app.test_client()
    response = client.post("/login", data={"username": username, "password": password},
                           headers={"Accept-Language": language})
    return client if response.status_code == 302 else None


def test_an_administrator_adds_a_user_who_then_signs_in_and_works_in_their_groups(web: Flask) -> None:
    admin = _login(web, "u_admin")
    response = admin.post("/admin/users", data={"username": "newton", "display_name": "Newton",
                                                "password": "newton-pass-1", "groups": ["reviewer"],
                                                "new_groups": "trainees"})
    assert response.status_code == 302
    page = _text(admin.get("/admin/users"))
    assert 'data-user="newton"' in page and "trainees" in page
    assert _login(web, "newton", "newton-pass-1") is not None


def test_a_taken_name_or_short_password_is_refused_with_the_form_kept(web: Flask) -> None:
    admin = _login(web, "u_admin")
    taken = admin.post("/admin/users", data={"username": "u_clerk", "password": "whatever-pass-1"})
    assert taken.status_code == 422 and "This name is taken." in _text(taken)
    short = admin.post("/admin/users", data={"username": "shorty", "password": "short"})
    assert short.status_code == 422 and 'value="shorty"' in _text(short)
    assert 'data-user="shorty"' not in _text(admin.get("/admin/users"))


def test_deactivating_resetting_and_regrouping_a_user(web: Flask) -> None:
    admin = _login(web, "u_admin")
    assert admin.post("/admin/users/u_clerk/active", data={"active": "false"}).status_code == 302
    assert _login(web, "u_clerk") is None
    admin.post("/admin/users/u_clerk/active", data={"active": "true"})
    admin.post("/admin/users/u_clerk/password", data={"password": "fresh-pass-2026"})
    assert _login(web, "u_clerk") is None and _login(web, "u_clerk", "fresh-pass-2026") is not None
    admin.post("/admin/users/u_clerk/groups", data={"groups": ["clerk", "reviewer"]})
    assert web.extensions["casedesk"].users.groups("u_clerk") == {"clerk", "reviewer"}
    refused = admin.post("/admin/users/u_admin/active", data={"active": "false"})
    assert refused.status_code == 422  # not yourself


def test_the_admin_pages_are_in_simplified_chinese_too(web: Flask) -> None:
    admin = _login(web, "u_admin", language="zh-CN")
    assert "用户和小组" in _text(admin.get("/admin/users", headers={"Accept-Language": "zh-CN"}))
    assert "发件箱为空" in _text(admin.get("/admin/outbox", headers={"Accept-Language": "zh-CN"}))


def test_the_outbox_page_shows_kept_notices_to_administrators_only(app: Casedesk, web: Flask,
                                                                   login_as: LoginAs) -> None:
    with app.db.transaction() as conn:
        outbox.put(conn, outbox.Notice("sms", "+86 138 0000 0000", "", "Please bring your ID.", "ref", None),
                   datetime(2026, 1, 5, tzinfo=timezone.utc))
    page = _text(login_as("admin").get("/admin/outbox"))
    assert "Please bring your ID." in page and "+86 138 0000 0000" in page
    assert login_as("clerk").get("/admin/outbox").status_code == 403


class Publisher:
    def __init__(self) -> None:
        self.down = True

    def publish(self, ctx: HandlerContext, title: str) -> Any:
        if self.down:
            raise ConnectionError("publishing service unreachable at 10.0.0.7")
        return {"reference": "DOC-1"}


@pytest.fixture
def flaky(database_url: str, clock: FakeClock) -> Iterator[tuple[Casedesk, Flask, Publisher]]:
    publisher = Publisher()
    casedesk = bootstrap(Settings(database_url=database_url), clock=clock,
                         handlers={**build_registry(), "publish_document": publisher.publish})
    casedesk.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms"), "owen")
    for name, groups in DEMO_USERS.items():
        casedesk.users.add_user(name, PASSWORD, groups)
    flask_app = create_app({"TESTING": True, "CASEDESK": casedesk, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False})
    yield casedesk, flask_app, publisher
    casedesk.close()


def test_a_failing_service_keeps_the_reviewers_decision_and_an_administrator_retries_it_from_the_web(
        flaky: tuple[Casedesk, Flask, Publisher], clock: FakeClock) -> None:
    app, flask_app, publisher = flaky
    started = app.runtime.start_instance("document_review", {"title": "Travel"}, actor="alice")
    draft = app.runtime.list_tasks(instance_id=started.id)[0]
    review = app.runtime.complete_task(draft.id, {"body": "x"}, actor="alice").ready_tasks[0]

    reviewer = _login(flask_app, "rita")
    response = reviewer.post(f"/tasks/{review.id}", data={"decision": "approve"}, follow_redirects=True)
    page = _text(response)
    assert response.status_code == 200
    assert "Your input is saved." in page and "administrators see it" in page
    assert "publish_document" not in page and started.id not in page and "10.0.0.7" not in page

    admin = _login(flask_app, "root")
    assert 'data-job=' in _text(admin.get("/admin/jobs"))  # the retry is scheduled
    for minutes in (1, 2, 4):
        clock.advance(timedelta(minutes=minutes))
        app.jobs.run_due("test")
    incidents = _text(admin.get("/admin/incidents"))
    assert "10.0.0.7" in incidents  # administrators inspect the real error
    assert "Administration (1)" in _text(admin.get("/inbox"))
    [incident] = app.incidents.list()
    publisher.down = False
    done = admin.post(f"/admin/incidents/{incident.id}/retry", follow_redirects=True)
    assert "Retried: the case went on." in _text(done)
    assert app.runtime.get_instance(started.id).status == "completed"
    assert app.history.replay(started.id).verified


def test_an_administrator_reassigns_from_the_team_page(app: Casedesk, web: Flask, login_as: LoginAs) -> None:
    scenario = Scenario(app, claimed=True)
    admin = login_as("admin")
    page = _text(admin.get("/team"))
    assert f'data-task="{scenario.task_id}"' in page and "u_reviewer" in page
    assert admin.post(f"/tasks/{scenario.task_id}/reassign", data={"to": "rita"}).status_code == 302
    assert app.runtime.list_tasks(instance_id=scenario.instance_id)[0].assignee == "rita"
    assert login_as("reviewer").get("/team").status_code == 403
    assert app.history.replay(scenario.instance_id).verified


def test_the_holder_delegates_from_the_task_page(app: Casedesk, web: Flask, login_as: LoginAs) -> None:
    scenario = Scenario(app, claimed=True)
    reviewer = login_as("reviewer")
    assert 'name="to"' in _text(reviewer.get(f"/tasks/{scenario.task_id}"))  # rita is a colleague
    assert reviewer.post(f"/tasks/{scenario.task_id}/delegate", data={"to": "rita"}).status_code == 302
    assert app.runtime.list_tasks(instance_id=scenario.instance_id)[0].assignee == "rita"
