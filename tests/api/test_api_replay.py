"""API: POST /instances/{id}/replay and GET /instances/{id}/state?at=SEQ, for auditors and administrators."""
from __future__ import annotations

import json

from flask.testing import FlaskClient
from sqlalchemy import update

from engine.bootstrap import Casedesk
from engine.models import InstanceEvent
from tests.api.conftest import Headers, error_of
from tests.integration.test_replay import run_review


def test_an_auditor_replays_an_instance_and_gets_the_report(app: Casedesk, client: FlaskClient,
                                                            auth: Headers) -> None:
    view = run_review(app, rounds=2)
    response = client.post(f"/api/v1/instances/{view.id}/replay", headers=auth("audrey"))
    assert response.status_code == 200, response.json
    assert response.json == {"instance": view.id, "definition": "document_review v1", "events": view.events,
                             "verified": True, "chain": {"ok": True, "problems": []}, "divergence": None}


def test_a_tampered_instance_reports_its_first_divergence(app: Casedesk, client: FlaskClient,
                                                          auth: Headers) -> None:
    view = run_review(app)
    edited = next(e for e in app.history.events(view.id) if e.type == "task_done" and e.task_spec == "prepare")
    payload = json.loads(edited.payload)
    payload["delta"]["set"]["rounds"] = 9
    with app.db.unit_of_work() as session:
        session.execute(update(InstanceEvent).where(InstanceEvent.id == edited.id).values(payload=json.dumps(payload)))
    body = client.post(f"/api/v1/instances/{view.id}/replay", headers=auth("root")).json
    assert body["verified"] is False and body["chain"]["ok"] is False
    divergence = body["divergence"]
    assert (divergence["seq"], divergence["kind"]) == (edited.seq, "event differs")
    assert divergence["expected"]["payload"]["delta"]["set"]["rounds"] == 9
    assert divergence["got"]["payload"]["delta"]["set"]["rounds"] == 0


def test_state_at_an_event(app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    view = run_review(app, rounds=2, finish=False)
    ready = [e for e in app.history.events(view.id) if e.type == "task_ready"]
    response = client.get(f"/api/v1/instances/{view.id}/state?at={ready[2].seq}", headers=auth("audrey"))
    assert response.status_code == 200, response.json
    body = response.json
    assert body is not None
    assert [(t["element"], t["state"], t["task_id"]) for t in body["tokens"]] == [("draft", "READY", ready[2].task_id)]
    assert body["completed"]["review"] == 1 and body["flows"]["flow_rejected"] == 1
    assert body["data"]["decision"] == "send_back" and body["event"]["type"] == "task_ready"


def test_replay_and_state_are_for_auditors_and_administrators(app: Casedesk, client: FlaskClient,
                                                              auth: Headers) -> None:
    view = run_review(app, finish=False)
    refused = client.post(f"/api/v1/instances/{view.id}/replay", headers=auth("alice"))
    assert refused.status_code == 403 and "auditors" in error_of(refused)["message"]
    assert client.get(f"/api/v1/instances/{view.id}/state?at=1", headers=auth("alice")).status_code == 403
    assert client.post("/api/v1/instances/nope/replay", headers=auth("audrey")).status_code == 404


def test_state_at_a_seq_outside_the_log_is_refused(app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    view = run_review(app, finish=False)
    beyond = client.get(f"/api/v1/instances/{view.id}/state?at={view.events + 1}", headers=auth("audrey"))
    assert beyond.status_code == 422 and "between 1 and" in error_of(beyond)["message"]
    assert client.get(f"/api/v1/instances/{view.id}/state?at=0", headers=auth("audrey")).status_code == 422
