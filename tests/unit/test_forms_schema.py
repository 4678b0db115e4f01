"""Form schemas: loading, schema checking, and per-field submission messages."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from forms.schema import FormSchemaError, check_schema, form_validator, load_schema, schema_title, validate_submission

CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn" / "review_bundle"

ORDER_SCHEMA: dict[str, Any] = {
    "title": "Order",
    "x-title-zh": "订单",
    "type": "object",
    "required": ["amount", "email"],
    "properties": {
        "amount": {"type": "number", "minimum": 0, "title": "Amount", "x-title-zh": "金额"},
        "email": {"type": "string", "format": "email"},
        "due": {"type": "string", "format": "date-time"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string", "minLength": 1}},
            },
        },
    },
}


def test_load_schema_reads_a_form_file() -> None:
    schema = load_schema((CLEAN / "review.schema.json").read_bytes(), "review.schema.json")
    assert schema["x-title-zh"] == "审核案件"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"type": ', "not valid JSON: line 1"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"type": "nonsense"}', "not a valid JSON Schema"),
    ],
)
def test_load_schema_refuses_bad_files(data: bytes, expected: str) -> None:
    with pytest.raises(FormSchemaError) as caught:
        load_schema(data, "broken.schema.json")
    assert str(caught.value).startswith("broken.schema.json: ")
    assert expected in str(caught.value)


def test_form_schema_error_is_a_value_error() -> None:
    assert issubclass(FormSchemaError, ValueError)


def test_check_schema_accepts_titles_in_both_languages() -> None:
    assert check_schema(ORDER_SCHEMA) == []


def test_check_schema_lists_every_problem_with_its_location() -> None:
    problems = check_schema({"type": "nonsense", "properties": {"amount": {"minimum": "zero"}}})
    assert len(problems) == 2
    assert any(p.startswith("properties/amount/minimum: ") for p in problems)
    assert any(p.startswith("type: ") for p in problems)


def test_check_schema_refuses_remote_references() -> None:
    problems = check_schema({"properties": {"a": {"$ref": "https://example.com/a.json"}}})
    assert problems == ["properties/a: only local '$ref' (starting with '#') is allowed, got 'https://example.com/a.json'"]


def test_valid_submission_has_no_messages() -> None:
    data = {"amount": 10, "email": "a@example.com", "due": "2024-05-01T10:00:00Z", "items": [{"name": "x"}]}
    assert validate_submission(ORDER_SCHEMA, data) == {}


def test_missing_required_fields_are_keyed_by_their_own_name() -> None:
    messages = validate_submission(ORDER_SCHEMA, {})
    assert set(messages) == {"amount", "email"}
    assert messages["amount"] == ["'amount' is a required property"]


def test_wrong_values_are_keyed_by_field_path() -> None:
    data = {"amount": -1, "email": "not-an-email", "due": "tomorrow", "items": [{"name": "ok"}, {"name": ""}, {}]}
    messages = validate_submission(ORDER_SCHEMA, data)
    assert set(messages) == {"amount", "email", "due", "items/1/name", "items/2/name"}
    assert "minimum" in messages["amount"][0]
    assert "email" in messages["email"][0]


def test_top_level_errors_use_the_empty_path() -> None:
    assert list(validate_submission(ORDER_SCHEMA, [])) == [""]  # type: ignore[arg-type]


def test_schema_error_message_text_replaces_the_default() -> None:
    schema = {
        "type": "object",
        "required": ["amount", "reason"],
        "errorMessage": {"required": {"amount": "Enter an amount."}},
        "properties": {
            "amount": {"type": "number", "minimum": 1, "errorMessage": {"minimum": "At least 1, please."}},
            "reason": {"type": "string", "errorMessage": {"required": "Say why."}},
            "code": {"type": "string", "pattern": "^[A-Z]{3}$", "errorMessage": "Three capital letters."},
        },
    }
    assert validate_submission(schema, {"code": "abc"}) == {
        "amount": ["Enter an amount."],
        "reason": ["Say why."],
        "code": ["Three capital letters."],
    }
    assert validate_submission(schema, {"amount": 0, "reason": "x"}) == {"amount": ["At least 1, please."]}


def test_any_of_reports_the_failing_branch_fields() -> None:
    schema = {"anyOf": [{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}]}
    assert validate_submission(schema, {"a": "x"}) == {"a": ["'x' is not of type 'integer'"]}


def test_schema_title_falls_back_to_english() -> None:
    schema = json.loads((CLEAN / "review.schema.json").read_bytes())
    assert schema_title(schema, "zh-Hans") == "审核案件"
    assert schema_title(schema, "en") == "Review the case"
    assert schema_title({"title": "Only English"}, "zh-Hans") == "Only English"


@pytest.mark.parametrize("amount", [19.99, 80000.07, 0.1 + 0.2 - 0.3 + 1.01, 12, 0])
def test_an_amount_in_cents_is_a_multiple_of_one_cent(amount: float) -> None:
    check = form_validator({"type": "object", "properties": {"amount": {"type": "number", "multipleOf": 0.01}}})
    assert check({"amount": round(amount, 2)}) == {}


@pytest.mark.parametrize("amount", [19.995, 0.001, 3.14159])
def test_a_fraction_of_a_cent_is_refused_for_its_field(amount: float) -> None:
    check = form_validator({"type": "object", "properties": {"amount": {"type": "number", "multipleOf": 0.01}}})
    assert list(check({"amount": amount})) == ["amount"]
