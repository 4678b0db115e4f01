"""A form's `x-show` list: which case data a task page shows, labelled by the forms, values as people read them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask, session

from forms.display import labelled_data, shown_data
from forms.schema import check_schema
from engine.config import PROJECT_ROOT
from web.i18n import init_app as init_i18n
from web.casedata import PageFormatter

APPLICATION = {"properties": {
    "channel": {"type": "string", "title": "Notify me by", "x-title-zh": "通知方式", "enum": ["phone", "sms"],
                "x-enum-titles": ["Phone", "SMS"], "x-enum-titles-zh": ["電話", "短信"]},
    "materials": {"type": "array", "title": "Materials", "items": {"type": "string", "enum": ["contract", "invoice"],
                                                                   "x-enum-titles": ["Contract", "Invoice"]}},
    "urgent": {"type": "boolean", "title": "Urgent"},
    "received": {"type": "string", "format": "date", "title": "Received on"},
}}
TASK = {"type": "object", "properties": {}, "x-show": [
    {"name": "channel", "from": "application.schema.json"},
    {"name": "materials", "from": "application.schema.json"},
    {"name": "urgent", "from": "application.schema.json"},
    {"name": "received", "from": "application.schema.json"},
    {"name": "fee", "title": "Fee", "format": "money", "currency": "CNY"},
    {"name": "deadline", "title": "Time limit", "format": "duration"},
    {"name": "filing.number", "title": "Archive number"},
    {"name": "not_yet", "title": "Decided later"},
]}
FORMS = {"application.schema.json": APPLICATION, "task.schema.json": TASK}
DATA = {"channel": "sms", "materials": ["invoice", "contract"], "urgent": False, "received": "2026-03-01",
        "fee": 1234.5, "deadline": "P3D", "filing": {"number": "DA-XS-2026-000001"}, "internal": {"a": 1}}


class PlainFormatter:
    def date(self, value: dt.date) -> str:
        return value.strftime("%d.%m.%Y")

    def date_time(self, value: dt.datetime) -> str:
        return value.isoformat()

    def money(self, value: Decimal, currency: str) -> str:
        return f"{currency} {value:,.2f}"

    def number(self, value: int | float) -> str:
        return str(value)

    def yes_no(self, value: bool) -> str:
        return "yes" if value else "no"

    def duration(self, value: str) -> str:
        return {"P3D": "3 days"}.get(value, value)


def test_the_shown_values_follow_the_x_show_order_with_the_labels_of_the_producing_form() -> None:
    shown = shown_data(TASK, FORMS, DATA, "en", PlainFormatter())
    assert [(v.label, v.text or v.items) for v in shown] == [
        ("Notify me by", "SMS"), ("Materials", ["Invoice", "Contract"]), ("Urgent", "no"),
        ("Received on", "01.03.2026"), ("Fee", "CNY 1,234.50"), ("Time limit", "3 days"),
        ("Archive number", "DA-XS-2026-000001")]  # `not_yet` is not in the case yet: left out
    zh = shown_data(TASK, FORMS, DATA, "zh-Hans", PlainFormatter())
    assert (zh[0].label, zh[0].text) == ("通知方式", "短信")


def test_all_data_is_labelled_where_a_form_describes_it_and_readable_where_none_does() -> None:
    rows = {row.name: row for row in labelled_data(FORMS, DATA, "en", PlainFormatter())}
    assert rows["channel"].label == "Notify me by" and rows["channel"].text == "SMS"
    assert rows["fee"].label == "Fee"  # an x-show entry's own title
    assert rows["internal"].label == "Internal" and rows["internal"].items == ["A: 1"]


def test_a_malformed_x_show_list_is_refused_at_deploy() -> None:
    assert check_schema(TASK) == []
    problems = check_schema({"type": "object", "x-show": [{"name": "x", "format": "colour"}, "y", {"name": "z"}]})
    assert any("format 'colour' is not one of" in p for p in problems)
    assert any("x-show/1: an entry is an object" in p for p in problems)
    assert any("x-show/2: give a \"title\"" in p for p in problems)


def test_page_values_are_in_the_users_time_zone_and_language() -> None:
    app = Flask("web", root_path=str(PROJECT_ROOT / "web"))
    app.secret_key = "test"
    init_i18n(app)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        session["timezone"] = "Asia/Shanghai"
        formatter = PageFormatter()
        written = formatter.date_time(dt.datetime(2026, 1, 10, 9, tzinfo=dt.timezone.utc))
        assert written.startswith("Jan 10, 2026") and "5:00:00" in written and "PM" in written  # 09:00 UTC
        assert formatter.money(Decimal("1234.5"), "CNY") == "CN¥1,234.50"
        assert formatter.duration("P3D") == "3 days" and formatter.yes_no(True) == "Yes"


def test_every_shipped_x_show_entry_names_a_form_field_that_exists() -> None:
    import json

    forms = {path.name: json.loads(path.read_text()) for path in (PROJECT_ROOT / "forms").rglob("*.schema.json")}
    shown = 0
    for name, schema in forms.items():
        assert check_schema(schema) == [], name
        for entry in schema.get("x-show", []):
            shown += 1
            if "from" in entry:
                source = forms.get(entry["from"])
                assert source is not None, (name, entry)
                assert (entry.get("field") or entry["name"]) in source["properties"], (name, entry)
    for folder in ("case", "archive", "reports", "demo"):  # every user-task form of these says what it shows
        for path in (PROJECT_ROOT / "forms" / folder).glob("*.schema.json"):
            assert "x-show" in forms[path.name], path.name
    assert shown > 100


def test_on_a_chinese_page_a_name_no_form_labels_reads_as_stored_and_a_labelled_part_in_chinese() -> None:
    catalogue = {"Archive number": "档案编号"}  # the bundles' catalogues, as web/i18n.bundle_text reads them
    rows = {row.name: row for row in labelled_data(FORMS, DATA, "zh-Hans", PlainFormatter(),
                                                   translate=lambda text: catalogue.get(text, text))}
    assert rows["channel"].label == "通知方式"
    assert rows["internal"].label == "internal" and rows["internal"].items == ["a: 1"]  # not "Internal", "A"
    assert rows["filing"].label == "filing" and rows["filing"].items == ["档案编号: DA-XS-2026-000001"]
    english = {row.name: row for row in labelled_data(FORMS, DATA, "en", PlainFormatter())}
    assert english["filing"].label == "Filing" and english["filing"].items == ["Archive number: DA-XS-2026-000001"]


def test_a_records_parts_read_as_their_namesake_form_fields_write_them_in_the_pages_language() -> None:
    """A service's record copies case values (`request.channel` from `channel`): its choices read by their labels,
    its dates as dates; a value the namesake field could not have given reads as stored."""
    data = {"request": {"channel": "sms", "received": "2026-03-01", "urgent": "no", "other": "phone"},
            "odd": {"channel": "fax"}}
    chinese = {row.name: row for row in labelled_data(FORMS, data, "zh-Hans", PlainFormatter())}
    assert chinese["request"].items == ["通知方式: 短信", "Received on: 01.03.2026", "urgent: no", "other: phone"]
    assert chinese["odd"].items == ["channel: fax"]  # no choice of the form: not its value, not named by it
    english = {row.name: row for row in labelled_data(FORMS, data, "en", PlainFormatter())}
    assert english["request"].items == ["Notify me by: SMS", "Received on: 01.03.2026", "Urgent: no",
                                        "Other: phone"]
