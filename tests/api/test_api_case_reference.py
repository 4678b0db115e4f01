"""The API names a case by the readable reference the pages show (`C-20261130-0007`): every instance answer
carries `reference`, every task answer `instance_reference`, read with the rows (no statement per instance)."""
from __future__ import annotations

import re

from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from engine.runtime.references import references_of

from .conftest import Headers
from .test_api_hot_path import round_trips

REFERENCE = re.compile(r"^C-\d{8}-\d{4}$")


def _start(client: FlaskClient, auth: Headers, title: str) -> dict:
    started = client.post("/api/v1/processes/document_review/instances", headers=auth("alice"),
                          json={"data": {"title": title}})
    assert started.status_code == 201, started.json
    return started.json


def _stored(app: Casedesk, ids: list[str]) -> dict[str, str]:
    with app.db.reading() as conn:
        return references_of(conn, ids)


def test_instances_and_tasks_carry_the_cases_reference(app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    started = [_start(client, auth, f"Policy {n}") for n in range(3)]
    stored = _stored(app, [s["id"] for s in started])
    assert len(set(stored.values())) == 3 and all(REFERENCE.match(r) for r in stored.values())
    for body in started:  # the start's own answer
        assert body["reference"] == stored[body["id"]]
        assert [t["instance_reference"] for t in body["ready_tasks"]] == [stored[body["id"]]]
    listed = client.get("/api/v1/instances", headers=auth("alice")).json
    assert {i["id"]: i["reference"] for i in listed} == stored
    one = client.get(f"/api/v1/instances/{started[1]['id']}", headers=auth("alice")).json
    assert one["reference"] == stored[started[1]["id"]]
    tasks = client.get("/api/v1/tasks", headers=auth("alice")).json
    assert {t["instance_id"]: t["instance_reference"] for t in tasks} == stored
    task_id = started[2]["ready_tasks"][0]["id"]
    assert client.get(f"/api/v1/tasks/{task_id}", headers=auth("alice")).json["instance_reference"] == \
        stored[started[2]["id"]]
    claimed = client.post(f"/api/v1/tasks/{task_id}/claim", headers=auth("alice")).json
    assert claimed["instance_reference"] == stored[started[2]["id"]]
    completed = client.post(f"/api/v1/tasks/{task_id}/complete", headers=auth("alice"),
                            json={"data": {"body": "text"}}).json
    assert completed["reference"] == stored[started[2]["id"]]
    assert completed["ready_tasks"][0]["instance_reference"] == stored[started[2]["id"]]


def test_a_longer_list_costs_no_more_statements(app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    _start(client, auth, "first")
    auth("alice")  # the token exists before counting

    def statements(path: str) -> int:
        with round_trips(app) as seen:
            assert client.get(path, headers=auth("alice")).status_code == 200
        return len(seen["statements"])

    few = {path: statements(path) for path in ("/api/v1/instances", "/api/v1/tasks")}
    for n in range(4):
        _start(client, auth, f"more {n}")
    assert len(client.get("/api/v1/tasks", headers=auth("alice")).json) == 5
    assert {path: statements(path) for path in few} == few


def test_the_openapi_document_describes_the_references(client: FlaskClient) -> None:
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert "reference" in schemas["InstanceSummary"]["properties"]
    assert "reference" in schemas["Instance"]["properties"]
    assert "instance_reference" in schemas["Task"]["properties"]
    assert "instance_reference" in schemas["TaskDetail"]["properties"]
