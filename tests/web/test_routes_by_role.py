"""Every route, as every role: allowed roles get their answer, the others are refused (issue 5, item 1).

Routes are discovered from `app.url_map`, so a route without a rule in route_table.py fails here.
"""
from __future__ import annotations

import io
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from casework.archive_register import open_archive
from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from tests.conftest import PASSWORD
from tests.web.conftest import LoginAs, Scenario
from tests.web.route_table import ROLES, RULES, Rule

SESSION_REFUSALS = {401, 403}
# The API answers 404 for what the caller may not even see.
BEARER_REFUSALS = {401, 403, 404}
DEMO_FILES = [PROJECT_ROOT / "processes/demo/document_review.bpmn", PROJECT_ROOT / "forms/demo/draft.schema.json",
              PROJECT_ROOT / "forms/demo/review.schema.json"]


def _endpoints(web: Flask) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for rule in web.url_map.iter_rules():
        found.setdefault(rule.endpoint, []).extend(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
    return found


def test_every_route_has_an_access_rule(web: Flask) -> None:
    missing = sorted(set(_endpoints(web)) - set(RULES))
    assert not missing, f"routes without an entry in tests/web/route_table.py: {missing}"
    stale = sorted(set(RULES) - set(_endpoints(web)))
    assert not stale, f"rules for routes that do not exist: {stale}"
    wrong_method = sorted(e for e, rule in RULES.items() if rule.method not in _endpoints(web)[e])
    assert not wrong_method, f"rules naming a method the route does not take: {wrong_method}"


def test_every_route_answers_each_role_as_the_policy_says(web: Flask, app: Casedesk, login_as: LoginAs) -> None:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "tests/fixtures/bpmn/messages"), "owen")  # sendMessage
    with app.db.transaction() as conn:  # DA-XS-2026-000001, for the archive pages
        open_archive(conn, app.clock.now(), "XS-WALK-1", "sales", "Walk", ["form"], None)
    sessions = {role: login_as(role) for role in ROLES}
    tokens = {role: _token(web, role) for role in ROLES}
    shared = Scenario(app)
    wrong = []
    for endpoint, rule in sorted(RULES.items()):
        for role in ROLES:
            # Reads share one instance; an allowed POST changes state, so every POST gets a fresh one.
            scenario = shared if rule.method == "GET" and not rule.claimed else Scenario(app, claimed=rule.claimed)
            if rule.auth == "bearer":
                response = _call_api(web, tokens[role], _url(web, endpoint, rule, scenario), rule)
            else:
                client = sessions[role] if endpoint != "auth.logout" else login_as(role)
                url = _url(web, endpoint, rule, scenario)
                response = (client.open(url, method=rule.method, json=rule.data) if rule.as_json
                            else client.open(url, method=rule.method, data=rule.data))
            problem = _judge(response, rule, role)
            if problem:
                wrong.append(f"{rule.method} {endpoint} as {role}: {problem}")
    assert not wrong, "\n".join(wrong)


def _url(web: Flask, endpoint: str, rule: Rule, scenario: Scenario) -> str:
    route = next(r for r in web.url_map.iter_rules() if r.endpoint == endpoint)
    arguments = route.arguments - set(route.defaults or {})
    known = scenario.url_values() | rule.values
    with web.test_request_context():
        return url_for(endpoint, **{name: known[name] for name in arguments})


def _token(web: Flask, role: str) -> str | None:
    if role == "anonymous":
        return None
    response = web.test_client().post("/api/v1/auth/tokens", json={"username": f"u_{role}", "password": PASSWORD})
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    return str(response.get_json()["token"])


def _call_api(web: Flask, token: str | None, url: str, rule: Rule) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client: FlaskClient = web.test_client()
    if rule.upload:
        files: dict[str, Any] = {"files": [(io.BytesIO(p.read_bytes()), p.name) for p in DEMO_FILES]}
        return client.open(url, method=rule.method, data=files, headers=headers, content_type="multipart/form-data")
    if rule.document:
        note = {"file": (io.BytesIO("meeting notes 會議記錄\n".encode()), "notes.txt")}
        return client.open(url, method=rule.method, data=note, headers=headers, content_type="multipart/form-data")
    if rule.method == "GET":
        return client.open(url, method="GET", headers=headers)
    return client.open(url, method=rule.method, json=rule.data, headers=headers)


def _judge(response: TestResponse, rule: Rule, role: str) -> str | None:
    status = response.status_code
    if rule.answers is not None:
        return None if status == rule.answers else f"expected {rule.answers}, got {status}"
    # Flask-Login sends the signed-out to the login page, with where they wanted to go.
    sent_to_login = status == 302 and "/login?next=" in (response.location or "")
    refusals = BEARER_REFUSALS if rule.auth == "bearer" else SESSION_REFUSALS
    refused = status in refusals or sent_to_login
    if role in rule.allowed and (refused or status >= 400):
        return f"expected allowed, got {status} {response.location or response.get_data(as_text=True)[:200]}"
    if role not in rule.allowed and not refused:
        return f"expected refused, got {status} {response.location or ''}"
    return None
