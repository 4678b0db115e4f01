"""Starting and completing over the API (issue 14, item 2): few round trips, the same answers as before.

The answer to a start or a completion takes its ready tasks from the step's own result instead of reading
them back; it must still equal what `GET /instances/{id}` shows right after, on SQLite and PostgreSQL,
with parallel tasks, a due date given in another zone, a business key and a named assignee. The bearer
check is one statement and still sees a changed membership or a revoked token on the very next call.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from tests.conftest import PASSWORD

from .conftest import Headers, error_of

ROUTING = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "routing"
# Statements of one completion of a task the caller already works on: the bearer check (1), the task at
# hand (1), the step (PostgreSQL 2, SQLite 6: test_step_round_trips) and the answer (1).
COMPLETION_BUDGET = {"sqlite": 9, "postgresql": 5}


@pytest.fixture
def routed(app: Casedesk) -> Casedesk:
    app.definitions.deploy(collect_files(ROUTING), "owen")
    app.users.add_user("ivy", PASSWORD, ["intake"])
    app.users.add_user("fay", PASSWORD, ["finance"])
    return app


@contextmanager
def round_trips(app: Casedesk) -> Iterator[dict[str, list[str]]]:
    """Statements sent, and transactions opened with a BEGIN the driver sends (autocommit reads open none)."""
    seen: dict[str, list[str]] = {"statements": [], "begins": []}

    def statement(conn: Any, cursor: Any, text: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen["statements"].append(" ".join(text.split())[:80])

    def begin(conn: Any) -> None:
        if not getattr(conn.connection.dbapi_connection, "autocommit", False):
            seen["begins"].append(conn.get_isolation_level())

    event.listen(app.db.engine, "before_cursor_execute", statement)
    event.listen(app.db.engine, "begin", begin)
    try:
        yield seen
    finally:
        event.remove(app.db.engine, "before_cursor_execute", statement)
        event.remove(app.db.engine, "begin", begin)


def task_of(body: dict[str, Any], spec: str) -> dict[str, Any]:
    return next(task for task in body["ready_tasks"] if task["task_spec"] == spec)


def test_start_and_each_completion_answer_what_reading_the_instance_shows(
        routed: Casedesk, client: FlaskClient, auth: Headers) -> None:
    started = client.post("/api/v1/processes/routed/instances", headers=auth("ivy"), json={"data": {
        "department": "finance", "deadline": "2026-02-01T10:00:00+08:00", "handler": "fay", "serial": 7}})
    assert started.status_code == 201, started.json
    instance = f"/api/v1/instances/{started.json['id']}"
    assert started.json == client.get(instance, headers=auth("ivy")).json
    assert started.json["business_key"] == "RT-7"
    assert {(t["task_spec"], t["assignee"], t["due_at"]) for t in started.json["ready_tasks"]} == {
        ("handle", "fay", "2026-02-01T02:00:00+00:00"), ("note", None, None)}

    noted = client.post(f"/api/v1/tasks/{task_of(started.json, 'note')['id']}/complete", headers=auth("ivy"),
                        json={"data": {"remark": "seen"}})
    assert noted.status_code == 200, noted.json
    assert noted.json == client.get(instance, headers=auth("ivy")).json
    assert [t["task_spec"] for t in noted.json["ready_tasks"]] == ["handle"]
    assert noted.json["data"]["remark"] == "seen"

    routed.runtime.warm.clear()  # the last step starts from the stored state, not the warm workflow
    handled = client.post(f"/api/v1/tasks/{task_of(noted.json, 'handle')['id']}/complete", headers=auth("fay"),
                          json={"data": {"outcome": "done"}})
    assert handled.status_code == 200, handled.json
    assert handled.json == client.get(instance, headers=auth("fay")).json
    assert (handled.json["status"], handled.json["ready_tasks"]) == ("completed", [])
    assert handled.json["completed_at"] is not None and handled.json["data"]["outcome"] == "done"


def test_a_completion_reads_little_and_opens_one_transaction(
        app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    body = client.post("/api/v1/processes/document_review/instances", headers=auth("alice"),
                       json={"data": {"title": "Travel policy"}}).json
    body = client.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete", headers=auth("alice"),
                       json={"data": {"body": "first draft"}}).json
    body = client.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete", headers=auth("rita"),
                       json={"data": {"decision": "send_back"}}).json
    with round_trips(app) as seen:
        response = client.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete", headers=auth("alice"),
                               json={"data": {"body": "second draft"}})
    assert response.status_code == 200, response.json
    assert response.json["ready_tasks"][0]["task_spec"] == "review"
    dialect = app.db.engine.dialect.name
    assert len(seen["statements"]) <= COMPLETION_BUDGET[dialect], seen["statements"]
    if dialect == "postgresql":  # reads run in autocommit: only the step's write transaction sends BEGIN
        assert len(seen["begins"]) == 1, seen["begins"]


@contextmanager
def pool_use(app: Casedesk) -> Iterator[dict[str, int]]:
    """Connections taken from the pool, and the most one request held at once."""
    use = {"checkouts": 0, "held": 0, "most_held": 0}

    def checkout(*_args: Any) -> None:
        use["checkouts"] += 1
        use["held"] += 1
        use["most_held"] = max(use["most_held"], use["held"])

    def checkin(*_args: Any) -> None:
        use["held"] -= 1

    event.listen(app.db.engine.pool, "checkout", checkout)
    event.listen(app.db.engine.pool, "checkin", checkin)
    try:
        yield use
    finally:
        event.remove(app.db.engine.pool, "checkout", checkout)
        event.remove(app.db.engine.pool, "checkin", checkin)


def test_a_start_and_a_completion_take_one_read_connection_before_the_step_and_never_hold_two(
        app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    headers = auth("alice")
    client.post("/api/v1/processes/document_review/instances", headers=headers, json={"data": {"title": "First"}})
    with pool_use(app) as started:  # the version is loaded by now, as on a serving worker
        body = client.post("/api/v1/processes/document_review/instances", headers=headers,
                           json={"data": {"title": "Travel policy"}}).json
    with pool_use(app) as completed:
        response = client.post(f"/api/v1/tasks/{body['ready_tasks'][0]['id']}/complete", headers=headers,
                               json={"data": {"body": "first draft"}})
    assert response.status_code == 200, response.json
    assert started["most_held"] == completed["most_held"] == 1
    # PostgreSQL: the bearer check shares its connection with the next read, then the step's and the answer's;
    # SQLite reads in transactions, one connection each (a shared one would hide the step from the answer).
    reads_before_the_step = 1 if app.db.is_postgres else 2
    assert started["checkouts"] == completed["checkouts"] == reads_before_the_step + 2


def test_the_bearer_check_sees_a_changed_membership_and_a_revoked_token_on_the_next_call(
        app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    headers = auth("alice")
    body = client.post("/api/v1/processes/document_review/instances", headers=headers,
                       json={"data": {"title": "Travel policy"}}).json
    task = body["ready_tasks"][0]["id"]
    app.users.set_groups("alice", ["reviewer"])

    refused = client.post(f"/api/v1/tasks/{task}/complete", headers=headers, json={"data": {"body": "draft"}})

    assert refused.status_code == 403, refused.json
    assert "clerk" in error_of(refused)["message"]
    assert client.get(f"/api/v1/instances/{body['id']}", headers=headers).json["events"] == body["events"]
    app.users.set_groups("alice", ["clerk"])
    (token,) = client.get("/api/v1/auth/tokens", headers=headers).json
    assert client.delete(f"/api/v1/auth/tokens/{token['id']}", headers=headers).status_code == 204

    gone = client.post(f"/api/v1/tasks/{task}/complete", headers=headers, json={"data": {"body": "draft"}})

    assert gone.status_code == 401, gone.json


def test_completing_refuses_as_before_whoever_may_not_work_or_see_the_task(
        app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    started = client.post("/api/v1/processes/document_review/instances", headers=auth("alice"),
                          json={"data": {"title": "Travel policy"}}).json
    draft, instance = started["ready_tasks"][0]["id"], f"/api/v1/instances/{started['id']}"
    assert client.post(f"/api/v1/tasks/{draft}/claim", headers=auth("alice")).status_code == 200
    events = client.get(instance, headers=auth("alice")).json["events"]

    def complete(user: str) -> tuple[int, str]:
        response = client.post(f"/api/v1/tasks/{draft}/complete", headers=auth(user), json={"data": {"body": "x"}})
        return response.status_code, error_of(response)["message"]

    # A colleague of the group, the case being in alice's hands: the case does not exist for them.
    assert complete("bob") == (404, f"no instance {started['id']}")
    assert complete("rita") == (404, f"no task {draft}")  # another group, never part of the case
    assert complete("audrey")[0] == 403  # auditors see every task but change nothing
    assert complete("root")[0] == 403
    assert client.get(instance, headers=auth("alice")).json["events"] == events
