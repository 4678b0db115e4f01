"""Issue #12: a script over the OS limits in a request is a 422 naming the element, not a worker killed at 30 s
(HTML 500) nor 201 after 2.9 GB; nothing is stored, the web worker serves on, and other users' writes go through."""
from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.sandbox import isolation
from tests.api.conftest import Headers, error_of

LIMITS = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "limits"
START = "/api/v1/processes/costly_start/instances"
COSTLY_KINDS = ["round", "repeat", "to_bytes", "join", "replace", "translate", "comprehension"]


@pytest.fixture
def limited(app: Casedesk, monkeypatch: pytest.MonkeyPatch) -> Casedesk:
    monkeypatch.setattr(isolation, "CPU_SECONDS", 1)  # the production limits, only quicker to reach
    monkeypatch.setattr(isolation, "MEMORY_BYTES", 256 * 2**20)
    app.definitions.deploy(collect_files(LIMITS), "owen")
    return app


def start(client: FlaskClient, headers: dict[str, str], kind: str) -> Any:
    return client.post(START, json={"data": {"kind": kind, "amount": 1234}}, headers=headers)


@pytest.mark.parametrize("kind", COSTLY_KINDS)
def test_a_costly_script_in_a_request_is_422_naming_the_element_and_stores_nothing(
        limited: Casedesk, client: FlaskClient, auth: Headers, kind: str) -> None:
    began, pid = time.monotonic(), os.getpid()
    response = start(client, auth("alice"), kind)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert "costly (Compute the figure)" in error_of(response)["message"]
    assert time.monotonic() - began < 20 and os.getpid() == pid
    assert limited.runtime.list_instances(process_key="costly_start") == []
    assert start(client, auth("alice"), "ordinary").status_code == 201  # the same worker serves the next one


def test_other_users_writes_go_through_while_a_costly_script_runs(
        limited: Casedesk, flask_app: Flask, auth: Headers) -> None:
    """On SQLite a step holds the one write lock while its script runs: the limit bounds how long others wait."""
    alice, bob = auth("alice"), auth("bob")
    results: dict[str, int] = {}

    def costly() -> None:
        results["costly"] = start(flask_app.test_client(), alice, "round").status_code

    running = threading.Thread(target=costly)
    running.start()
    time.sleep(0.2)
    results["other"] = flask_app.test_client().post(
        "/api/v1/processes/document_review/instances", json={"data": {"title": "t"}}, headers=bob).status_code
    running.join(timeout=30)
    assert results == {"costly": 422, "other": 201}
