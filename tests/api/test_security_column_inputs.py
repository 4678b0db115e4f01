"""Issue #12: every input that ends in a column answers a 4xx in the one error shape for a NUL byte or a
value longer than its column, and stores nothing, on SQLite (which would keep it) and PostgreSQL (which fails)."""
from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.models import Group, ProcessDefinition, ProcessInstance, User
from tests.api.conftest import OWNER, Headers, error_of
from tests.conftest import PASSWORD

ROUTING = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "routing"
NUL = "a\x00b"


def counts(app: Casedesk) -> dict[str, int]:
    with app.db.unit_of_work(write=False) as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
                for model in (User, Group, ProcessDefinition, ProcessInstance)}


def refused(response: Any, app: Casedesk, before: dict[str, int]) -> None:
    """A 4xx, nothing stored; the error shape unless a page shows its own form again with the problem."""
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    if response.is_json or response.status_code != 422:
        error_of(response)
    assert counts(app) == before


@pytest.fixture
def admin_client(flask_app: Flask) -> FlaskClient:
    flask_app.config["WTF_CSRF_ENABLED"] = False
    client = flask_app.test_client()
    assert client.post("/login", data={"username": "root", "password": PASSWORD}).status_code == 302
    return client


ADMIN_FORMS = {
    "overlong-username": {"username": "u" * 81, "password": PASSWORD},
    "nul-in-username": {"username": NUL, "password": PASSWORD},
    "overlong-display-name": {"username": "newcomer", "display_name": "d" * 201, "password": PASSWORD},
    "nul-in-display-name": {"username": "newcomer", "display_name": NUL, "password": PASSWORD},
    "overlong-new-group": {"username": "newcomer", "new_groups": "g" * 81, "password": PASSWORD},
    "nul-in-a-ticked-group": {"username": "newcomer", "groups": NUL, "password": PASSWORD},
}


@pytest.mark.parametrize("form", ADMIN_FORMS.values(), ids=ADMIN_FORMS.keys())
def test_adding_a_user_with_a_value_too_long_or_with_a_nul_is_refused(
        app: Casedesk, admin_client: FlaskClient, form: dict[str, str]) -> None:
    before = counts(app)
    response = admin_client.post("/admin/users", data=form, headers={"Accept": "application/json"})
    refused(response, app, before)


@pytest.mark.parametrize("groups", ["g" * 81, NUL], ids=["overlong", "nul"])
def test_setting_groups_too_long_or_with_a_nul_is_refused(app: Casedesk, admin_client: FlaskClient,
                                                          groups: str) -> None:
    before = counts(app)
    response = admin_client.post("/admin/users/alice/groups", data={"new_groups": groups},
                                 headers={"Accept": "application/json"})
    refused(response, app, before)
    assert [u.groups for u in app.users.list_users() if u.username == "alice"] == [("clerk",)]


USER_PATHS = {
    "overlong-name-password": ("/admin/users/{}/password", {"password": PASSWORD}),
    "overlong-name-active": ("/admin/users/{}/active", {"active": "false"}),
    "overlong-name-groups": ("/admin/users/{}/groups", {"groups": "clerk"}),
}


@pytest.mark.parametrize("path, form", USER_PATHS.values(), ids=USER_PATHS.keys())
@pytest.mark.parametrize("name", ["u" * 81, "%00"], ids=["overlong", "nul"])
def test_a_user_name_in_an_admin_address_too_long_or_with_a_nul_is_refused(
        app: Casedesk, admin_client: FlaskClient, path: str, form: dict[str, str], name: str) -> None:
    before = counts(app)
    response = admin_client.post(path.format(name), data=form, headers={"Accept": "application/json"})
    refused(response, app, before)


API_BODIES = {
    "message-name-overlong": ("/api/v1/messages", {"name": "m" * 201}),
    "message-name-nul": ("/api/v1/messages", {"name": NUL}),
    "correlation-key-nul": ("/api/v1/messages", {"name": "order_placed", "correlation": {NUL: "1"}}),
    "cancel-reason-nul": ("/api/v1/instances/{id}/cancel", {"reason": NUL}),
    "cancel-reason-overlong": ("/api/v1/instances/{id}/cancel", {"reason": "r" * 1001}),
    "token-user-nul": ("/api/v1/auth/tokens", {"username": NUL, "password": PASSWORD}),
    "token-user-overlong": ("/api/v1/auth/tokens", {"username": "u" * 81, "password": PASSWORD}),
    "retire-key-overlong": ("/api/v1/processes/" + "k" * 201 + "/retirement", {"version": 1, "retired": True}),
}


@pytest.mark.parametrize("path, body", API_BODIES.values(), ids=API_BODIES.keys())
def test_api_bodies_too_long_or_with_a_nul_are_refused(app: Casedesk, client: FlaskClient, auth: Headers,
                                                       path: str, body: dict[str, Any]) -> None:
    started = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    before = counts(app)
    events = len(app.history.events(started.id))
    response = client.post(path.format(id=started.id), json=body, headers=auth(OWNER if "retire" in path else "root"))
    refused(response, app, before)
    assert len(app.history.events(started.id)) == events


API_ADDRESSES = {
    "user-to-deactivate-overlong": ("post", "/api/v1/users/" + "u" * 81 + "/deactivate"),
    "user-to-deactivate-nul": ("post", "/api/v1/users/a%00b/deactivate"),
    "token-list-user-overlong": ("get", "/api/v1/auth/tokens?user=" + "u" * 81),
    "process-key-overlong": ("post", "/api/v1/processes/" + "k" * 201 + "/instances"),
    "task-id-overlong": ("post", "/api/v1/tasks/" + "t" * 5000 + "/claim"),
    "instance-id-overlong-cancel": ("post", "/api/v1/instances/" + "i" * 5000 + "/cancel"),
}


@pytest.mark.parametrize("method, path", API_ADDRESSES.values(), ids=API_ADDRESSES.keys())
def test_api_addresses_too_long_or_with_a_nul_are_refused(app: Casedesk, client: FlaskClient, auth: Headers,
                                                          method: str, path: str) -> None:
    before = counts(app)
    response = getattr(client, method)(path, json={"data": {}, "reason": "x"}, headers=auth("root"))
    refused(response, app, before)


ROUTED_DATA = {
    "business-key-overlong": {"serial": "9" * 100},
    "candidate-group-overlong": {"department": "g" * 81},
    "assignee-overlong": {"handler": "h" * 81},
}


@pytest.mark.parametrize("data", ROUTED_DATA.values(), ids=ROUTED_DATA.keys())
def test_data_that_would_route_or_key_a_case_with_an_overlong_value_is_refused(
        app: Casedesk, client: FlaskClient, auth: Headers, data: dict[str, Any]) -> None:
    app.definitions.deploy(collect_files(ROUTING), "owen")
    app.users.add_user("ivy", PASSWORD, ["intake"])
    before = counts(app)
    values = {"department": "finance", "deadline": "P3D", "handler": "", "serial": 7, **data}
    response = client.post("/api/v1/processes/routed/instances", json={"data": values}, headers=auth("ivy"))
    refused(response, app, before)


def bpmn(process_id: str, name: str = "Long") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
            f'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://x">'
            f'<bpmn:process id="{process_id}" name="{name}" isExecutable="true">'
            f'<bpmn:startEvent id="s"><bpmn:outgoing>f</bpmn:outgoing></bpmn:startEvent>'
            f'<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/>'
            f'<bpmn:endEvent id="e"><bpmn:incoming>f</bpmn:incoming></bpmn:endEvent>'
            f'</bpmn:process></bpmn:definitions>').encode()


DEPLOYS = {
    "process-key-overlong": ("long.bpmn", bpmn("p" * 201)),
    "process-name-overlong": ("long.bpmn", bpmn("short_key", "n" * 201)),
    "file-name-overlong": ("f" * 400 + ".bpmn", bpmn("short_key")),
}


@pytest.mark.parametrize("filename, content", DEPLOYS.values(), ids=DEPLOYS.keys())
def test_deploying_a_process_whose_key_name_or_file_name_is_too_long_is_refused(
        app: Casedesk, client: FlaskClient, auth: Headers, filename: str, content: bytes) -> None:
    before = counts(app)
    response = client.post("/api/v1/processes", data={"files": (io.BytesIO(content), filename)},
                           headers=auth(OWNER), content_type="multipart/form-data")
    refused(response, app, before)
