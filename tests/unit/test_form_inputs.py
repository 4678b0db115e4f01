"""Inputs that say what the schema says: types and bounds, `required` only where a value is needed,
date-times typed on the user's wall clock stored as RFC 3339 (UTC), empty required text refused."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

from forms.fields import NOT_DATE_TIME, build_fields, parse_submission
from forms.schema import CHOICE_SOURCES, check_schema, validate_submission
from web.choices import SOURCES

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCHEMA = {
    "type": "object",
    "required": ["name", "remarks", "days", "ticked", "flag", "meeting", "items"],
    "properties": {
        "name": {"type": "string", "maxLength": 80},
        "remarks": {"type": "string", "minLength": 0},
        "days": {"type": "integer", "minimum": 1, "maximum": 30},
        "amount": {"type": "number", "minimum": 0.5, "multipleOf": 0.5},
        "ticked": {"type": "boolean", "const": True},
        "flag": {"type": "boolean"},
        "day": {"type": "string", "format": "date"},
        "meeting": {"type": "string", "format": "date-time"},
        "items": {"type": "array", "minItems": 0, "items": {"type": "string", "enum": ["a", "b"]}},
    },
}


def test_inputs_carry_the_schemas_type_and_bounds() -> None:
    fields = {f.name: f for f in build_fields(SCHEMA, {"name": {"ui:widget": "tel"}}, "en")}
    assert fields["days"].attributes == {"type": "number", "min": "1", "max": "30", "step": "1"}
    assert fields["amount"].attributes == {"type": "number", "min": "0.5", "step": "0.5"}
    assert fields["name"].attributes == {"type": "tel", "maxlength": "80"}
    assert fields["day"].attributes["type"] == "date" and fields["meeting"].attributes["type"] == "datetime-local"


def test_required_only_where_a_value_is_needed() -> None:
    required = {f.name for f in build_fields(SCHEMA, None, "en") if f.required}
    # `remarks`/`items` may be empty; `flag` is always sent; `ticked` must be ticked.
    assert required == {"name", "days", "ticked", "meeting"}


def test_a_date_time_is_read_on_the_users_clock_and_stored_in_utc() -> None:
    data, problems = parse_submission(SCHEMA, MultiDict([("meeting", "2026-03-01T09:30")]), SHANGHAI)
    assert problems == {} and data["meeting"] == "2026-03-01T01:30:00+00:00"
    assert validate_submission(SCHEMA, {**data, "name": "x", "remarks": "", "days": 1, "ticked": True,
                                        "flag": False, "items": []}) == {}
    (meeting,) = [f for f in build_fields(SCHEMA, None, "en", data, zone=SHANGHAI) if f.name == "meeting"]
    assert meeting.value == "2026-03-01T09:30"
    _, problems = parse_submission(SCHEMA, MultiDict([("meeting", "next tuesday")]), SHANGHAI)
    assert problems == {"meeting": [NOT_DATE_TIME]}


def test_empty_text_for_a_required_field_is_refused_unless_the_schema_allows_it() -> None:
    complete = {"name": "x", "remarks": "", "days": 1, "ticked": True, "flag": False,
                "meeting": "2026-03-01T01:30:00+00:00", "items": []}
    assert validate_submission(SCHEMA, complete) == {}
    assert validate_submission(SCHEMA, {**complete, "name": ""}) == {"name": ["'name' is a required property"]}


def test_a_choice_source_must_be_one_the_server_has() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "string", "x-choices-from": "planets"}}}
    assert any("x-choices-from 'planets' is not a source" in p for p in check_schema(schema))
    assert check_schema({"type": "object", "properties": {"n": {"type": "string",
                                                                "x-choices-from": "archive_numbers"}}}) == []


def test_every_choice_source_a_form_may_name_has_a_function() -> None:
    assert set(SOURCES) == set(CHOICE_SOURCES)


def test_fields_needed_in_one_situation_carry_that_situation() -> None:
    import json

    from engine.config import PROJECT_ROOT
    from forms.inputs import required_when

    handle = json.loads((PROJECT_ROOT / "forms" / "case" / "handle_case.schema.json").read_text())
    application = json.loads((PROJECT_ROOT / "forms" / "case" / "fill_application.schema.json").read_text())
    consultation = json.loads((PROJECT_ROOT / "forms" / "case" / "receive_consultation.schema.json").read_text())
    assert required_when(handle) == {"result": {"outcome": ["done"]}, "problem": {"outcome": ["problem"]}}
    assert required_when(application) == {"email": {"preferred_channel": ["email"]},
                                          "mobile": {"preferred_channel": ["sms", "phone"]}}
    assert required_when(consultation)["answer"] == {"answered_now": ["true"]}
    # A later reply sends both contact boxes, one may stay empty: neither is marked required.
    assert "mobile" not in required_when(consultation) and "email" not in required_when(consultation)
