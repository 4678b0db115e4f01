"""Every route, as every role: allowed roles get their page, the others are refused (issue 5, item 1).

Routes are discovered from `app.url_map`, so a route without a rule in route_table.py fails here.
"""
from __future__ import annotations

from flask import Flask, url_for
from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from tests.web.conftest import LoginAs, Scenario
from tests.web.route_table import ROLES, RULES, Rule

DENIED_STATUSES = {401, 403}


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
    clients = {role: login_as(role) for role in ROLES}
    shared = Scenario(app)
    wrong = []
    for endpoint, rule in sorted(RULES.items()):
        if rule.auth != "session" or endpoint not in _endpoints(web):
            continue
        for role in ROLES:
            # Reads share one instance; an allowed POST changes state, so every POST gets a fresh one.
            scenario = shared if rule.method == "GET" and not rule.claimed else Scenario(app, claimed=rule.claimed)
            problem = _check(web, clients[role] if endpoint != "auth.logout" else login_as(role),
                             endpoint, rule, role, scenario)
            if problem:
                wrong.append(f"{rule.method} {endpoint} as {role}: {problem}")
    assert not wrong, "\n".join(wrong)


def _check(web: Flask, client: FlaskClient, endpoint: str, rule: Rule, role: str, scenario: Scenario) -> str | None:
    arguments = next(r.arguments for r in web.url_map.iter_rules() if r.endpoint == endpoint)
    values = {name: scenario.url_values()[name] for name in arguments if name != "filename"}
    if "filename" in arguments:
        values["filename"] = "casedesk.css" if endpoint == "static" else "document_review.bpmn"
    with web.test_request_context():
        url = url_for(endpoint, **values)
    response = client.open(url, method=rule.method, data=rule.data)
    # Flask-Login sends the signed-out to the login page, with where they wanted to go.
    sent_to_login = response.status_code == 302 and "/login?next=" in (response.location or "")
    refused = response.status_code in DENIED_STATUSES or sent_to_login
    if role in rule.allowed and (refused or response.status_code >= 400):
        return f"expected allowed, got {response.status_code} {response.location or ''}"
    if role not in rule.allowed and not refused:
        return f"expected refused, got {response.status_code} {response.location or ''}"
    return None
