"""Issue #12 (limits on size): request bodies, task and start data, and each file of a bundle are refused
with a 413/422 naming the limit, and nothing is stored, on SQLite and PostgreSQL."""
from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from forms.bounds import MAX_SCHEMA_BYTES
from engine.definitions.xmlsafe import DEFAULT_MAX_BYTES
from tests.api.conftest import OWNER, Headers, error_of
from tests.conftest import PASSWORD
from web.inputguard import MAX_DATA_BYTES

START = "/api/v1/processes/document_review/instances"
BUNDLE = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "review_bundle"


def test_task_data_over_the_limit_is_413_naming_it_and_the_task_stays_ready(
        app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    started = client.post(START, json={"data": {"title": "t"}}, headers=auth("alice")).json
    task = started["ready_tasks"][0]["id"]
    events = len(app.history.events(started["id"]))
    body = json.dumps({"data": {"body": "x" * (MAX_DATA_BYTES + 1)}})
    response = client.post(f"/api/v1/tasks/{task}/complete", data=body,
                           headers={**auth("alice"), "Content-Type": "application/json"})
    assert response.status_code == 413 and str(MAX_DATA_BYTES) in error_of(response)["message"]
    assert len(app.history.events(started["id"])) == events
    assert [t.id for t in app.runtime.list_tasks(instance_id=started["id"])] == [task]


def test_a_task_form_post_over_the_limit_is_413_and_stores_nothing(app: Casedesk, flask_app: Flask) -> None:
    flask_app.config["WTF_CSRF_ENABLED"] = False
    browser = flask_app.test_client()
    assert browser.post("/login", data={"username": "alice", "password": PASSWORD}).status_code == 302
    view = app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    task = view.ready_tasks[0].id
    response = browser.post(f"/tasks/{task}", data={"body": "x" * (MAX_DATA_BYTES + 1)})
    assert response.status_code == 413 and str(MAX_DATA_BYTES) in response.get_data(as_text=True)
    assert [t.id for t in app.runtime.list_tasks(instance_id=view.id)] == [task]


def test_a_request_body_over_the_configured_limit_is_413_naming_it(app: Casedesk, client: FlaskClient,
                                                                    auth: Headers, flask_app: Flask) -> None:
    flask_app.config["MAX_CONTENT_LENGTH"] = 200_000
    before = [d.id for d in app.definitions.list_definitions()]
    response = client.post("/api/v1/processes", headers=auth(OWNER), content_type="multipart/form-data",
                           data={"files": (io.BytesIO(b"x" * 300_000), "big.bpmn")})
    assert response.status_code == 413 and "200000" in error_of(response)["message"]
    assert [d.id for d in app.definitions.list_definitions()] == before


def bundle_with(name: str, content: bytes) -> dict[str, list[tuple[io.BytesIO, str]]]:
    files = [(p.name, p.read_bytes()) for p in sorted(BUNDLE.iterdir())]
    files = [(n, c) for n, c in files if n != name] + [(name, content)]
    return {"files": [(io.BytesIO(c), n) for n, c in files]}


OVERSIZED = {
    "form-file": ("review.schema.json",
                  json.dumps({"type": "object", "description": "x" * MAX_SCHEMA_BYTES}).encode(), MAX_SCHEMA_BYTES),
    "bpmn-file": ("review_case.bpmn", b"<?xml version='1.0'?><!--" + b"x" * DEFAULT_MAX_BYTES + b"-->",
                  DEFAULT_MAX_BYTES),
}


@pytest.mark.parametrize("name, content, limit", OVERSIZED.values(), ids=OVERSIZED.keys())
def test_one_file_of_a_bundle_over_its_limit_is_422_naming_the_file_and_the_limit(
        app: Casedesk, client: FlaskClient, auth: Headers, name: str, content: bytes, limit: int) -> None:
    before = [d.key for d in app.definitions.list_definitions()]
    response = client.post("/api/v1/processes", data=bundle_with(name, content), headers=auth(OWNER),
                           content_type="multipart/form-data")
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    text = json.dumps(error_of(response))
    assert name in text and str(limit) in text
    assert [d.key for d in app.definitions.list_definitions()] == before
