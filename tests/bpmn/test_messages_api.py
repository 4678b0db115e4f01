"""Messages from outside: POST /api/v1/messages and `casedesk message` reach the waiting instance or start one;
a message that reaches nobody, or lacks its correlation value, is a 4xx naming it and stores nothing."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from tests.api.conftest import Headers, auth, client, error_of, flask_app  # noqa: F401 (fixtures)
from tests.bpmn.test_messages import assert_replays, cold, counts, only_task
from tests.integration.test_cli import Cli, cli  # noqa: F401 (fixture)

MESSAGES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "messages"
PLACED = {"name": "order_placed", "correlation": {"order_id": "B7"}, "data": {"order_id": "B7", "item": "lamp"}}


@pytest.fixture
def desk(app: Casedesk) -> Casedesk:
    app.definitions.deploy(collect_files(MESSAGES), "owen")
    return app


def post(client: FlaskClient, auth: Headers, user: str, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/messages", json=body, headers=auth(user))


def test_two_instances_exchange_messages_through_the_api(desk: Casedesk, client: FlaskClient, auth: Headers) -> None:
    order = desk.runtime.start_instance("order_desk", {"order_id": "A1", "item": "book"}, actor="alice")
    started = post(client, auth, "alice", PLACED)  # a second packing room, started from outside
    assert started.status_code == 200, started.json
    [made] = started.json["delivered"]
    assert (made["process"], made["started"]) == ("packing_room", True)
    assert only_task(desk, made["instance_id"]).task_spec == "pack"
    cold(desk)
    answer = {"name": "order_packed", "correlation": {"order_id": "A1"}, "data": {"order_id": "A1", "parcel": "P1"}}
    reached = post(client, auth, "alice", answer)
    assert reached.status_code == 200, reached.json
    assert reached.json == {"name": "order_packed",
                            "delivered": [{"instance_id": order.id, "process": "order_desk", "started": False}]}
    assert only_task(desk, order.id).task_spec == "ship"
    assert_replays(desk, order.id, "message_sent", "message_received")
    assert_replays(desk, made["instance_id"], "message_received")


def test_a_message_reaching_nobody_or_lacking_its_correlation_is_refused_by_the_api(
        desk: Casedesk, client: FlaskClient, auth: Headers) -> None:
    desk.runtime.start_instance("order_desk", {"order_id": "A1", "item": "book"}, actor="alice")
    before = counts(desk)
    nobody = post(client, auth, "alice", {"name": "order_packed", "correlation": {"order_id": "Z9"},
                                          "data": {"order_id": "Z9"}})
    assert nobody.status_code == 409
    assert "'order_packed' with correlation {'order_id': 'Z9'} reaches nobody" in error_of(nobody)["message"]
    lacking = post(client, auth, "alice", {"name": "order_packed", "correlation": {"order_id": "A1"}, "data": {}})
    assert lacking.status_code == 422
    assert "does not carry correlation property 'order_id'" in error_of(lacking)["message"]
    unnamed = post(client, auth, "alice", {"correlation": {}})
    assert unnamed.status_code == 422 and "name" in error_of(unnamed)["fields"]
    auditor = post(client, auth, "audrey", PLACED)
    assert auditor.status_code == 403
    assert counts(desk) == before


def test_casedesk_message_reaches_the_waiting_order(desk: Casedesk, cli: Cli) -> None:  # noqa: F811
    order = desk.runtime.start_instance("order_desk", {"order_id": "C3", "item": "cup"}, actor="alice")
    run = cli("message", "order_packed", "--correlation", '{"order_id": "C3"}',
              "--data", '{"order_id": "C3", "parcel": "P9"}', "--user", "bob")
    assert run.code == 0, run.err
    assert run.out.strip() == f"message order_packed reached instance {order.id}  order_desk"
    assert only_task(desk, order.id).task_spec == "ship"
    before = counts(desk)
    again = cli("message", "order_packed", "--correlation", '{"order_id": "C3"}',
                "--data", '{"order_id": "C3"}', "--user", "bob")
    assert again.code == 1 and "reaches nobody" in again.err
    assert counts(desk) == before
    assert_replays(desk, order.id, "message_received")


def test_a_process_started_by_a_message_is_not_offered_for_starting(
        desk: Casedesk, client: FlaskClient, auth: Headers) -> None:
    listed = client.get("/api/v1/processes", headers=auth("alice"))
    can_start = {p["key"]: p["can_start"] for p in listed.json}
    assert (can_start["order_desk"], can_start["packing_room"]) == (True, False)
    refused = client.post("/api/v1/processes/packing_room/instances", json={"data": {}}, headers=auth("alice"))
    assert refused.status_code == 409
    assert "starts when message 'order_placed' arrives" in error_of(refused)["message"]
