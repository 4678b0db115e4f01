"""Schemathesis walks every operation of /api/v1/openapi.json with generated input: never a 5xx (both databases)."""
from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from tests.conftest import PASSWORD

MAX_EXAMPLES = 10  # per operation, mode and database: bounded, so the suite stays minutes, not hours


def test_generated_requests_never_get_a_server_error(flask_app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", flask_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    server_errors: list[str] = []
    calls = 0
    tokens = flask_app.extensions["casedesk_api"].tokens  # not over HTTP: generated sign-ins may lock the address
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def call(case: Any) -> None:
                nonlocal calls
                # A fresh administrator's token each time: a generated DELETE may revoke the last one.
                token = tokens.issue("root", PASSWORD).token
                response = case.call(headers={**(case.headers or {}), "Authorization": f"Bearer {token}"})
                calls += 1
                if response.status_code >= 500:
                    server_errors.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                         f"{response.text[:200]} (query {case.query}, body {str(case.body)[:200]})")
            call()
    assert not server_errors, "\n".join(server_errors[:20])
    assert calls >= 2 * len(operations)  # every operation was really called, valid and invalid
