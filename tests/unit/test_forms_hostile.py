"""Form validation cannot be made slow: RE2 patterns within maxLength; schemas bounded in size, depth and $refs."""
from __future__ import annotations

import json
import time

import pytest

from forms.schema import FormSchemaError, check_schema, form_validator, load_schema
from engine.config import PROJECT_ROOT

CONSULTATION = PROJECT_ROOT / "forms" / "case" / "receive_consultation.schema.json"


def test_the_shipped_email_pattern_is_not_matched_on_a_value_over_max_length() -> None:
    schema = load_schema(CONSULTATION.read_bytes(), CONSULTATION.name)
    validate = form_validator(schema)
    started = time.perf_counter()
    errors = validate({"email": "a" * 120_000 + "@"})
    assert time.perf_counter() - started < 1.0
    assert any("long" in message for message in errors.get("email", []))
    assert not any("e-mail" in message for message in errors.get("email", []))


def test_a_catastrophic_backtracking_pattern_runs_in_linear_time() -> None:
    validate = form_validator({"type": "object", "properties": {"v": {"type": "string", "pattern": "^(a+)+$"}}})
    started = time.perf_counter()
    errors = validate({"v": "a" * 100_000 + "!"})
    assert time.perf_counter() - started < 1.0 and "v" in errors
    assert validate({"v": "aaaa"}) == {}


def test_a_pattern_the_linear_engine_cannot_run_is_refused_at_deploy() -> None:
    problems = check_schema({"type": "object", "properties": {"v": {"type": "string", "pattern": r"^(a)\1$"}}})
    assert any("properties/v" in p and "backreferences" in p for p in problems)


@pytest.mark.parametrize("schema", [
    {"$ref": "#"},
    {"type": "object", "properties": {"child": {"$ref": "#"}}, "required": ["child"]},
    {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
])
def test_a_self_referencing_ref_is_refused_at_deploy(schema: dict) -> None:
    assert any("refers back to itself" in problem for problem in check_schema(schema))


def test_a_stored_self_referencing_schema_fails_the_submission_not_the_server() -> None:
    errors = form_validator({"$ref": "#"})({"a": 1})
    assert "refers to itself" in errors[""][0]


def test_an_ordinary_local_ref_is_still_allowed() -> None:
    schema = {"$defs": {"name": {"type": "string"}}, "type": "object", "properties": {"n": {"$ref": "#/$defs/name"}}}
    assert check_schema(schema) == []


def test_a_deeply_nested_schema_is_refused_naming_the_file() -> None:
    deep: dict = {"type": "string"}
    for _ in range(40):
        deep = {"type": "object", "properties": {"x": deep}}
    with pytest.raises(FormSchemaError, match="deep.json: nested more than 32 levels"):
        load_schema(json.dumps(deep).encode(), "deep.json")
    with pytest.raises(FormSchemaError, match="nested more than"):
        load_schema(b"[" * 100_000 + b"]" * 100_000, "deeper.json")


def test_an_oversized_form_file_is_refused_naming_the_limit() -> None:
    huge = json.dumps({"type": "object", "description": "x" * 300_000}).encode()
    with pytest.raises(FormSchemaError, match="huge.json: .* at most 262144 bytes"):
        load_schema(huge, "huge.json")
