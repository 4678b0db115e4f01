"""Hostile input to the API is a 4xx in the one error shape and stores nothing, on SQLite and PostgreSQL."""
from __future__ import annotations

import sqlite3

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError

from engine.bootstrap import Casedesk
from engine.errors import Conflict
from tests.api.conftest import Headers, error_of

START = "/api/v1/processes/document_review/instances"
JSON = {"Content-Type": "application/json"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


HOSTILE_BODIES = {
    "lone-surrogate": '{"data": {"title": "a\\ud800b"}}',
    "lone-surrogate-in-a-key": '{"data": {"\\udfff": 1, "title": "t"}}',
    "integer-over-4300-digits": '{"data": {"title": "t", "n": ' + "9" * 5000 + "}}",
    "nested-900-deep": '{"data": {"title": "t", "deep": ' + nested(900) + "}}",
    "nested-100000-deep": '{"data": {"title": "t", "deep": ' + nested(100_000) + "}}",
    "nul-byte-in-a-value": '{"data": {"title": "a\\u0000b"}}',
    "nul-byte-in-a-key": '{"data": {"ti\\u0000tle": "x", "title": "t"}}',
    "not-json": '{"data": ',
    "data-not-an-object": '{"data": [1, 2]}',
    "huge-float": '{"data": {"title": "t", "f": 1e999}}',
    "nan": '{"data": {"title": "t", "f": NaN}}',
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_hostile_start_data_is_refused_and_nothing_is_stored(app: Casedesk, client: FlaskClient, auth: Headers,
                                                              body: str) -> None:
    response = client.post(START, data=body, headers={**auth("alice"), **JSON})
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:300]
    error_of(response)
    assert app.runtime.list_instances() == []


def test_start_data_over_the_limit_is_413_naming_it(app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    body = '{"data": {"title": "t", "blob": "' + "x" * 2_000_000 + '"}}'
    response = client.post(START, data=body, headers={**auth("alice"), **JSON})
    assert response.status_code == 413
    assert "1048576" in error_of(response)["message"]
    assert app.runtime.list_instances() == []


HOSTILE_PATHS = {
    "nul-in-an-instance-id": "/api/v1/instances/ab%00cd",
    "nul-in-a-task-id": "/api/v1/tasks/ab%00cd",
    "nul-in-a-filter": "/api/v1/instances?case_number=XS%00",
    "nul-in-a-status-filter": "/api/v1/instances?status=run%00ning",
    "nul-in-a-process-filter": "/api/v1/instances?process=doc%00",
    "overlong-instance-id": "/api/v1/instances/" + "a" * 5000,
    "overlong-filter": "/api/v1/instances?case_number=" + "9" * 5000,
    "overlong-starter-filter": "/api/v1/instances?started_by=" + "u" * 5000,
    "huge-limit": "/api/v1/instances?limit=" + "9" * 5000,
    "limit-over-64-bits": "/api/v1/instances?limit=" + "9" * 30,
    "token-id-over-64-bits": "/api/v1/auth/tokens/" + "9" * 30,
    "lone-surrogate-in-a-filter": "/api/v1/instances?case_number=%ED%A0%80",
    "nul-in-history": "/api/v1/instances/%00/history",
    "nul-in-a-process-key": "/api/v1/processes/doc%00/instances",
}


@pytest.mark.parametrize("path", HOSTILE_PATHS.values(), ids=HOSTILE_PATHS.keys())
def test_hostile_ids_and_filters_are_4xx(client: FlaskClient, auth: Headers, path: str) -> None:
    method = (client.post if path.endswith("/instances") and "processes" in path
              else client.delete if "/auth/tokens/" in path else client.get)
    response = method(path, headers=auth("alice"), json={"data": {}})
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if "%00" in path:
        assert error_of(response)["status"] == 400
    elif response.status_code >= 400:
        error_of(response)
    else:
        assert response.json == []  # a filter nothing matches: no instance, and no server error


@pytest.mark.parametrize("username", ["al\\u0000ice", "a" * 81, "\\ud800", "\\udfffx"])
def test_hostile_user_names_are_refused_without_a_server_error(client: FlaskClient, username: str) -> None:
    body = '{"username": "%s", "password": "whatever-1"}' % username
    response = client.post("/api/v1/auth/tokens", data=body, headers=JSON)
    assert response.status_code in (401, 422)
    error_of(response)


def test_a_lone_surrogate_in_form_data_is_refused(app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    started = client.post(START, json={"data": {"title": "t"}}, headers=auth("alice")).json
    task = started["ready_tasks"][0]["id"]
    body = '{"data": {"body": "x\\udc00y"}}'
    response = client.post(f"/api/v1/tasks/{task}/complete", data=body, headers={**auth("alice"), **JSON})
    assert 400 <= response.status_code < 500
    error_of(response)
    assert len(app.history.events(started["id"])) == len(app.history.events(started["id"]))


def test_a_database_lock_time_out_is_503_with_retry_after(app: Casedesk, client: FlaskClient, auth: Headers,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    headers = auth("alice")

    def locked(*args: object, **kwargs: object) -> None:
        try:
            raise OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))
        except OperationalError as exc:
            raise Conflict("the database is busy with a conflicting change; try again") from exc

    monkeypatch.setattr(app.runtime, "start_instance", locked)
    response = client.post(START, json={"data": {"title": "t"}}, headers=headers)
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert "busy" in error_of(response)["message"]


def test_an_html_form_with_a_nul_byte_is_refused(app: Casedesk, flask_app: Flask) -> None:
    client = flask_app.test_client()
    response = client.post("/login", data={"username": "ali\x00ce", "password": "x"})
    assert response.status_code == 400
