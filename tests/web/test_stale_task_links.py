"""A link to a task that is no longer ready says who completed it and when, and leads to the case."""
from __future__ import annotations

from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from tests.conftest import PASSWORD
from tests.web.conftest import LoginAs, Scenario


def _text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]


def _second_reviewer(app: Casedesk, client: FlaskClient) -> FlaskClient:
    app.users.add_user("u_reviewer2", PASSWORD, ["reviewer"])
    assert client.post("/login", data={"username": "u_reviewer2", "password": PASSWORD}).status_code == 302
    return client


def test_reopening_a_completed_task_says_who_completed_it_when_and_links_the_case(
        app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    app.runtime.complete_task(scenario.task_id, {"decision": "approve"}, actor="u_reviewer")
    response = login_as("reviewer").get(f"/tasks/{scenario.task_id}", headers={"Accept-Language": "en"})
    page = _text(response)
    assert response.status_code == 200
    assert "This task was completed by u_reviewer on" in page
    assert f'href="/instances/{scenario.instance_id}"' in page
    assert "Someone else was faster" not in page


def test_a_colleague_of_the_group_learns_who_completed_it_without_seeing_a_case_not_theirs(
        app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    app.runtime.complete_task(scenario.task_id, {"decision": "approve"}, actor="u_reviewer")
    colleague = _second_reviewer(app, login_as("anonymous"))
    page = _text(colleague.get(f"/tasks/{scenario.task_id}", headers={"Accept-Language": "en"}))
    assert "This task was completed by u_reviewer on" in page
    assert f'href="/instances/{scenario.instance_id}"' not in page  # not a participant


def test_submitting_a_task_someone_else_completed_changes_nothing_and_says_who(
        app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    app.runtime.complete_task(scenario.task_id, {"decision": "approve"}, actor="u_reviewer")
    events_before = len(app.history.events(scenario.instance_id))
    colleague = _second_reviewer(app, login_as("anonymous"))
    response = colleague.post(f"/tasks/{scenario.task_id}", data={"decision": "reject"},
                              headers={"Accept-Language": "zh-CN"})
    page = _text(response)
    assert response.status_code == 409
    assert "此任务已由 u_reviewer 于" in page and "您的请求未产生任何更改" in page
    assert len(app.history.events(scenario.instance_id)) == events_before
    assert app.history.replay(scenario.instance_id).verified


def test_a_task_withdrawn_by_a_cancelled_case_says_it_was_withdrawn(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    app.runtime.cancel_instance(scenario.instance_id, actor="u_clerk", reason="duplicate")
    page = _text(login_as("reviewer").get(f"/tasks/{scenario.task_id}", headers={"Accept-Language": "en"}))
    assert "This task was withdrawn on" in page


def test_staff_of_another_group_learn_nothing_about_a_finished_task(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    app.runtime.complete_task(scenario.task_id, {"decision": "approve"}, actor="u_reviewer")
    response = login_as("outsider").get(f"/tasks/{scenario.task_id}")
    assert response.status_code == 403
    assert "u_reviewer" not in _text(response)
