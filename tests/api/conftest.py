"""API fixtures: the Flask app over the shared `app` fixture (SQLite and PostgreSQL), tokens per user."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from tests.conftest import PASSWORD
from web.app import create_app

OWNER = "owen"


@pytest.fixture
def flask_app(app: Casedesk) -> Iterator[Flask]:
    app.users.add_user(OWNER, PASSWORD, ["process_owner"])
    yield create_app({"CASEDESK": app, "TESTING": True, "SECRET_KEY": "test"})


@pytest.fixture
def client(flask_app: Flask) -> FlaskClient:
    return flask_app.test_client()


Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def auth(client: FlaskClient) -> Headers:
    """`auth("alice")` → headers carrying a fresh bearer token of alice (one token per user per test)."""
    tokens: dict[str, str] = {}

    def headers(user: str) -> dict[str, str]:
        if user not in tokens:
            response = client.post("/api/v1/auth/tokens", json={"username": user, "password": PASSWORD})
            assert response.status_code == 201, response.json
            tokens[user] = response.json["token"]
        return {"Authorization": f"Bearer {tokens[user]}"}

    return headers


def error_of(response: Any) -> dict[str, Any]:
    """The API's one error shape, asserted on every error response."""
    assert set(response.json) == {"error"}, response.json
    body = response.json["error"]
    assert set(body) == {"status", "code", "message", "fields", "problems"}, body
    assert body["status"] == response.status_code
    return body  # type: ignore[no-any-return]
