"""Browser hardening: no inline script runs, stored files never render, `next=` stays local, bodies are bounded."""
from __future__ import annotations

import re

import pytest
from flask import Flask

from engine.bootstrap import Casedesk
from engine.config import Settings
from tests.conftest import PASSWORD
from tests.web.conftest import LoginAs, Scenario
from web.app import create_app

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize("role, path", [("anonymous", "/login"), ("clerk", "/inbox"), ("clerk", "/start"),
                                        ("auditor", "/audit"), ("process_owner", "/owner/processes")])
def test_every_page_forbids_inline_script_framing_and_sniffing(login_as: LoginAs, role: str, path: str) -> None:
    response = login_as(role).get(path)
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert not INLINE_SCRIPT.search(response.get_data(as_text=True))


def test_stored_diagrams_are_downloads_that_cannot_run_a_script(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    client = login_as("auditor")
    for url in (f"/instances/{scenario.instance_id}/diagram/document_review.bpmn",
                "/owner/processes/document_review/1/files/document_review.bpmn"):
        response = (login_as("process_owner") if url.startswith("/owner") else client).get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Disposition"] == 'attachment; filename="document_review.bpmn"'
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert b"<bpmn:definitions" in response.data


HOSTILE_NEXT = ["/%09/evil.example/", "/%0a/evil.example/", "//evil.example/", "/\\evil.example/",
                "https://evil.example/", "javascript:alert(1)", "/%5c%5cevil.example", " //evil.example"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_sign_in_never_redirects_to_another_site(web: Flask, target: str) -> None:
    response = web.test_client().post(f"/login?next={target}", data={"username": "u_clerk", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_language_switch_never_redirects_to_another_site(login_as: LoginAs, target: str) -> None:
    response = login_as("clerk").get(f"/language/en?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox"


def test_a_local_next_is_still_followed(login_as: LoginAs) -> None:
    response = login_as("clerk").get("/language/en?next=/instances?status=running")
    assert response.headers["Location"] == "/instances?status=running"


def test_a_request_body_over_the_limit_is_413_in_the_error_shape(app: Casedesk) -> None:
    small = create_app({"TESTING": True, "CASEDESK": app, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                        "MAX_CONTENT_LENGTH": 1000})
    response = small.test_client().post("/api/v1/auth/tokens",
                                        json={"username": "alice", "password": "x" * 2000})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_the_default_body_limit_comes_from_the_settings(app: Casedesk) -> None:
    flask_app = create_app({"TESTING": True, "CASEDESK": app, "SECRET_KEY": "test",
                            "CASEDESK_SETTINGS": Settings(max_request_bytes=5000)})
    assert flask_app.config["MAX_CONTENT_LENGTH"] == 5000


def test_cookies_are_secure_when_served_behind_tls(app: Casedesk) -> None:
    app.users.add_user("tls_user", PASSWORD, ["clerk"])
    flask_app = create_app({"TESTING": True, "CASEDESK": app, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                            "CASEDESK_SETTINGS": Settings(secure_cookies=True)})
    response = flask_app.test_client().post("/login", data={"username": "tls_user", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
