"""API authentication, authorization and the error shape: 401, 403, 404, 405, 409, 422; nothing half-applied."""
from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.models import ApiToken

from tests.conftest import PASSWORD

from .conftest import Headers, error_of


def start_review(client: FlaskClient, auth: Headers, user: str = "alice") -> dict:  # type: ignore[type-arg]
    response = client.post("/api/v1/processes/document_review/instances", json={"data": {"title": "Policy"}},
                           headers=auth(user))
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[no-any-return]


def test_calls_without_a_valid_bearer_token_are_401(client: FlaskClient, clock: FakeClock) -> None:
    assert error_of(client.get("/api/v1/tasks"))["code"] == "unauthenticated"
    assert client.get("/api/v1/tasks").headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/tasks", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/v1/tasks", headers={"Authorization": "Basic YWxpY2U6eA=="}).status_code == 401
    wrong = client.post("/api/v1/auth/tokens", json={"username": "alice", "password": "wrong-password"})
    assert error_of(wrong)["status"] == 401


def test_a_token_expires_and_only_its_hash_is_stored(client: FlaskClient, auth: Headers, app: Casedesk,
                                                     clock: FakeClock) -> None:
    headers = auth("alice")
    token = headers["Authorization"].split()[1]
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    with app.db.unit_of_work(write=False) as session:
        stored = list(session.scalars(select(ApiToken.token_hash)))
    assert stored and token not in stored and all(len(h) == 64 for h in stored)
    clock.advance(timedelta(hours=13))
    assert "expired" in error_of(client.get("/api/v1/tasks", headers=headers))["message"]


def test_a_browser_session_does_not_authenticate_the_api(client: FlaskClient) -> None:
    form = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    signed_in = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf[1]})
    assert signed_in.status_code == 302 and client.get("/inbox").status_code == 200  # the pages know alice
    assert error_of(client.get("/api/v1/tasks"))["status"] == 401
    started = client.post("/api/v1/processes/document_review/instances", json={"data": {}})
    assert error_of(started)["status"] == 401


def test_only_process_owners_deploy_and_auditors_change_nothing(client: FlaskClient, auth: Headers) -> None:
    upload = {"files": [(open(__file__, "rb"), "x.bpmn")]}
    assert error_of(client.post("/api/v1/processes", data=upload, headers=auth("alice")))["status"] == 403
    assert client.post("/api/v1/processes/document_review/instances", json={"data": {}},
                       headers=auth("audrey")).status_code == 403
    instance = start_review(client, auth)
    task = instance["ready_tasks"][0]
    # The auditor sees the task but may not claim it; rita (reviewer) does not even see it.
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=auth("audrey")).status_code == 200
    assert error_of(client.post(f"/api/v1/tasks/{task['id']}/claim", headers=auth("audrey")))["status"] == 403
    assert error_of(client.post(f"/api/v1/tasks/{task['id']}/claim", headers=auth("rita")))["status"] == 404
    assert error_of(client.post(f"/api/v1/instances/{instance['id']}/cancel", json={},
                                headers=auth("bob")))["status"] == 403


def test_unknown_resources_are_404_and_wrong_methods_405(client: FlaskClient, auth: Headers) -> None:
    assert error_of(client.get("/api/v1/instances/nope", headers=auth("alice")))["status"] == 404
    assert error_of(client.get("/api/v1/tasks/nope", headers=auth("alice")))["status"] == 404
    assert error_of(client.post("/api/v1/processes/nope/instances", json={"data": {}},
                                headers=auth("alice")))["status"] == 404
    assert error_of(client.get("/api/v1/no-such-thing", headers=auth("alice")))["status"] == 404
    wrong = client.delete("/api/v1/tasks", headers=auth("alice"))
    assert error_of(wrong)["status"] == 405 and "GET" in wrong.headers["Allow"]


def test_instances_of_others_are_invisible_to_staff_outside_them(client: FlaskClient, auth: Headers) -> None:
    instance = start_review(client, auth)
    assert client.get(f"/api/v1/instances/{instance['id']}", headers=auth("rita")).status_code == 404
    assert client.get(f"/api/v1/instances/{instance['id']}/history", headers=auth("rita")).status_code == 404
    assert [i["id"] for i in client.get("/api/v1/instances", headers=auth("audrey")).json] == [instance["id"]]
    assert client.get("/api/v1/instances", headers=auth("rita")).json == []


def test_invalid_form_data_is_422_per_field_and_saves_nothing(client: FlaskClient, auth: Headers) -> None:
    instance = start_review(client, auth)
    task = instance["ready_tasks"][0]
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"body": "", "extra": 1}},
                           headers=auth("alice"))
    error = error_of(response)
    assert error["status"] == 422 and "body" in error["fields"]
    after = client.get(f"/api/v1/instances/{instance['id']}", headers=auth("alice")).json
    assert after["events"] == instance["events"]
    assert [t["id"] for t in after["ready_tasks"]] == [task["id"]] and after["ready_tasks"][0]["assignee"] is None
    not_an_object = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": [1]}, headers=auth("alice"))
    assert error_of(not_an_object)["fields"] == {"data": ["Not a valid mapping type."]}


def test_a_stale_task_and_a_lost_claim_race_are_409(client: FlaskClient, auth: Headers) -> None:
    instance = start_review(client, auth)
    task_id = instance["ready_tasks"][0]["id"]
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=auth("alice")).json["assignee"] == "alice"
    lost = client.post(f"/api/v1/tasks/{task_id}/claim", headers=auth("bob"))
    assert error_of(lost)["status"] == 409
    done = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"body": "Text"}}, headers=auth("alice"))
    assert done.status_code == 200
    again = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"body": "Text"}}, headers=auth("alice"))
    assert error_of(again)["status"] == 409
    assert error_of(client.get(f"/api/v1/tasks/{task_id}", headers=auth("alice")))["status"] == 409
    cancelled = client.post(f"/api/v1/instances/{instance['id']}/cancel", json={"reason": "duplicate"},
                            headers=auth("alice"))
    assert cancelled.json["status"] == "cancelled" and cancelled.json["ready_tasks"] == []
    twice = client.post(f"/api/v1/instances/{instance['id']}/cancel", json={}, headers=auth("alice"))
    assert error_of(twice)["status"] == 409
