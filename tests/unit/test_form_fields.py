"""Forms rendered from JSON Schema: widgets per type, labels per language, typed values from posted text."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from forms.fields import NOT_INTEGER, NOT_NUMBER, build_fields, parse_submission

SCHEMA = {
    "type": "object",
    "required": ["name", "amount"],
    "properties": {
        "name": {"type": "string", "title": "Name", "x-title-zh": "姓名"},
        "amount": {"type": "number", "title": "Amount"},
        "count": {"type": "integer", "title": "Count"},
        "urgent": {"type": "boolean", "title": "Urgent"},
        "channel": {"type": "string", "enum": ["phone", "email"], "x-enum-titles": ["Phone", "E-mail"],
                    "x-enum-titles-zh": ["电话", "电子邮件"]},
        "result": {"type": "string", "oneOf": [{"const": "ok", "title": "Satisfied", "x-title-zh": "满意"},
                                               {"const": "bad", "title": "Dissatisfied", "x-title-zh": "不满意"}]},
        "missing": {"type": "array", "items": {"type": "string", "enum": ["id_card", "contract"],
                                                 "x-enum-titles": {"id_card": "ID card", "contract": "Contract"}}},
        "received": {"type": "string", "format": "date"},
        "notes": {"type": "string"},
    },
}
UI = {"notes": {"ui:widget": "textarea"}, "ui:order": ["notes", "name"]}


def test_each_type_gets_its_widget_and_the_ui_schema_orders_and_overrides() -> None:
    fields = build_fields(SCHEMA, UI, "en")
    widgets = {f.name: f.widget for f in fields}
    assert [f.name for f in fields][:2] == ["notes", "name"]
    assert widgets == {"notes": "textarea", "name": "text", "amount": "number", "count": "integer",
                       "urgent": "checkbox", "channel": "select", "result": "select", "missing": "checkboxes",
                       "received": "date"}
    assert {f.name for f in fields if f.required} == {"name", "amount"}


def test_labels_and_option_labels_follow_the_language() -> None:
    zh = {f.name: f for f in build_fields(SCHEMA, UI, "zh-Hans")}
    en = {f.name: f for f in build_fields(SCHEMA, UI, "en")}
    assert zh["name"].label == "姓名" and en["name"].label == "Name"
    assert [o.label for o in zh["channel"].options] == ["电话", "电子邮件"]
    assert [o.label for o in zh["result"].options] == ["满意", "不满意"]
    assert [o.label for o in en["missing"].options] == ["ID card", "Contract"]
    assert zh["count"].label == "Count"  # no Chinese title: the English one, never nothing


def test_posted_text_becomes_typed_data() -> None:
    form = MultiDict([("name", "Li Lei"), ("amount", "12.5"), ("count", "3"), ("urgent", "true"),
                      ("missing", "id_card"), ("missing", "contract"), ("notes", ""), ("received", "2026-11-26")])
    data, problems = parse_submission(SCHEMA, form)
    assert problems == {}
    assert data == {"name": "Li Lei", "amount": 12.5, "count": 3, "urgent": True,
                    "missing": ["id_card", "contract"], "received": "2026-11-26", "notes": ""}


def test_text_that_is_not_a_number_is_reported_and_kept_for_the_page() -> None:
    data, problems = parse_submission(SCHEMA, MultiDict([("amount", "twelve"), ("count", "1.5")]))
    assert problems == {"amount": [NOT_NUMBER], "count": [NOT_INTEGER]}
    assert data["amount"] == "twelve" and data["count"] == "1.5"
    fields = {f.name: f for f in build_fields(SCHEMA, UI, "en", data, problems)}
    assert fields["amount"].value == "twelve" and fields["amount"].errors == [NOT_NUMBER]


def test_an_unchecked_checkbox_is_false_an_empty_text_stays_and_an_empty_number_is_left_out() -> None:
    data, _ = parse_submission(SCHEMA, MultiDict([("name", ""), ("amount", " ")]))
    assert data == {"name": "", "urgent": False, "missing": []}
