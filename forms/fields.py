"""Turn a JSON Schema form (+ UI schema) into renderable fields, and posted text back into typed data."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

from . import documents
from .inputs import datetime_from_input, datetime_input_value, input_attributes, may_be_empty, required_when
from .schema import CHOICES_FROM_KEYWORD, TITLE_KEYWORDS

# Enum labels: a list parallel to `enum`, or a mapping value -> label. Labels are English and
# translated through the bundle's catalogues; `x-enum-titles-zh` is read only in forms deployed
# before the catalogues existed.
ENUM_TITLE_KEYWORDS = {"en": "x-enum-titles", "zh-Hans": "x-enum-titles-zh", "zh-Hant": "x-enum-titles-zh"}

Translate = Callable[[str], str]


def _untranslated(text: str) -> str:
    return text


def N_(message: str) -> str:
    """Marks a sentence for the translation catalogue; the web layer translates it when shown."""
    return message


NOT_INTEGER, NOT_NUMBER = N_("Enter a whole number."), N_("Enter a number.")
NOT_DATE_TIME = N_("Enter a date and time.")
NOT_A_DOCUMENT = N_("An attached file could not be read back; attach it again.")
WIDGETS = ("text", "textarea", "number", "integer", "checkbox", "select", "radio", "checkboxes", "date",
           "datetime", "email", "tel")


class FormData(Protocol):
    """What a posted HTML form offers (werkzeug's MultiDict)."""

    def getlist(self, key: str) -> list[str]: ...


@dataclass
class Option:
    value: str
    label: str


@dataclass
class Field:
    name: str
    label: str
    widget: str
    required: bool
    description: str = ""
    options: list[Option] = field(default_factory=list)
    value: Any = None
    errors: list[str] = field(default_factory=list)
    readonly: bool = False
    # The <input>'s type and the schema's bounds (min, max, step, maxlength), for text-like widgets.
    attributes: dict[str, str] = field(default_factory=dict)
    # Needed only in a situation (`if`/`then`): deciding field -> the values that make it needed.
    required_when: dict[str, list[str]] = field(default_factory=dict)

    def selected(self, option: Option) -> bool:
        if isinstance(self.value, list):
            return option.value in [str(v) for v in self.value]
        return self.value is not None and str(self.value) == option.value


def translated_title(node: Mapping[str, Any], locale: str, translate: Translate = _untranslated) -> str:
    """A schema's (or property's) title in `locale`: the catalogue's, else a legacy `x-title-zh`, else English."""
    return _label(node, locale, "", translate)


def _label(node: Mapping[str, Any], locale: str, fallback: str, translate: Translate = _untranslated) -> str:
    title = node.get("title")
    if isinstance(title, str) and title and translate(title) != title:
        return translate(title)
    keyword = TITLE_KEYWORDS.get(locale, "title")
    return str(node.get(keyword) or title or fallback)


def _options(node: Mapping[str, Any], locale: str, translate: Translate = _untranslated) -> list[Option]:
    if "oneOf" in node and all(isinstance(c, dict) and "const" in c for c in node["oneOf"]):
        return [Option(str(c["const"]), _label(c, locale, str(c["const"]), translate)) for c in node["oneOf"]]
    values = node.get("enum") or []
    english = node.get("x-enum-titles") or []
    legacy = node.get(ENUM_TITLE_KEYWORDS.get(locale, "x-enum-titles")) or english
    options = []
    for index, value in enumerate(values):
        label = _enum_title(english, index, value)
        shown = translate(label)
        if shown == label:
            shown = _enum_title(legacy, index, label)
        options.append(Option(str(value), shown))
    return options


def _enum_title(titles: Any, index: int, value: Any) -> str:
    if isinstance(titles, Mapping):
        return str(titles.get(str(value), value))
    return str(titles[index]) if index < len(titles) else str(value)


def _widget(node: Mapping[str, Any], ui: Mapping[str, Any]) -> str:
    requested = ui.get("ui:widget")
    kind = node.get("type")
    if documents.is_document_field(node):
        return "file"
    if kind == "array":
        return "checkboxes"
    if requested in WIDGETS:
        return str(requested)
    if "enum" in node or "oneOf" in node or CHOICES_FROM_KEYWORD in node:
        return "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("number", "integer"):
        return str(kind)
    return {"date": "date", "date-time": "datetime", "email": "email"}.get(node.get("format", ""), "text")


def build_fields(schema: Mapping[str, Any], ui_schema: Mapping[str, Any] | None, locale: str,
                 values: Mapping[str, Any] | None = None,
                 errors: Mapping[str, list[str]] | None = None, translate: Translate = _untranslated,
                 choices: Mapping[str, list[Option]] | None = None, zone: dt.tzinfo = dt.timezone.utc) -> list[Field]:
    """One field per top-level property, in `ui:order` when the UI schema gives one; `translate` turns
    the schema's English titles, descriptions and enum labels into the page's language. A field whose
    choices come from data (`x-choices-from`) offers `choices[source]`; date-times show in `zone`."""
    ui_schema = ui_schema or {}
    values, errors = values or {}, errors or {}
    properties: Mapping[str, Any] = schema.get("properties") or {}
    order = [name for name in ui_schema.get("ui:order", []) if name in properties]
    order += [name for name in properties if name not in order]
    required = set(schema.get("required") or [])
    conditional = required_when(schema)
    fields = []
    for name in order:
        node = properties[name] if isinstance(properties[name], Mapping) else {}
        ui = ui_schema.get(name) or {}
        options_node = node.get("items", {}) if node.get("type") == "array" else node
        widget = _widget(node, ui)
        source = node.get(CHOICES_FROM_KEYWORD)
        options = list((choices or {}).get(source, [])) if source else _options(options_node, locale, translate)
        value = values.get(name, node.get("default"))
        fields.append(Field(
            name=name, label=_label(node, locale, name, translate), widget=widget,
            # A box always sent (checkbox: true or false) is "required" only when it must be ticked.
            required=node.get("const") is True if widget == "checkbox" else name in required and not may_be_empty(node),
            description=translate(str(ui.get("ui:help") or node.get("description") or "")),
            options=options, value=datetime_input_value(value, zone) if widget == "datetime" else value,
            errors=list(errors.get(name, [])), readonly=bool(ui.get("ui:readonly") or node.get("readOnly")),
            attributes=_file_attributes(node) if widget == "file" else input_attributes(node, widget),
            required_when=conditional.get(name, {}),
        ))
    return fields


def _file_attributes(node: Mapping[str, Any]) -> dict[str, str]:
    """A file box: what it accepts and how large a file may be (the server checks both on the content)."""
    attributes = {"type": "file", "accept": documents.accept_attribute(node),
                  "data-max-size": str(documents.max_size(node))}
    if documents.is_list_field(node):
        attributes["multiple"] = "multiple"
    return attributes


def parse_submission(schema: Mapping[str, Any], form: FormData,
                     zone: dt.tzinfo = dt.timezone.utc) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Typed data from posted text, plus messages for text that is not the type it must be.
    A posted text box is kept even when empty (the schema says whether empty is an answer); an empty
    number box is left out, so the schema's `required` reports it; a date-time typed on the user's
    wall clock (`zone`) is stored as RFC 3339 in UTC, as `format: date-time` says."""
    data: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for name, node in (schema.get("properties") or {}).items():
        node = node if isinstance(node, Mapping) else {}
        kind = node.get("type")
        raw = [v for v in form.getlist(name)]
        if documents.is_document_field(node):
            # Files attached on an earlier, refused post come back as their references (the upload is web's).
            kept, broken = _kept_references(raw)
            if broken:
                problems[name] = [NOT_A_DOCUMENT]
            if documents.is_list_field(node):
                data[name] = kept
            elif kept:
                data[name] = kept[-1]
            continue
        if kind == "array":
            item_kind = (node.get("items") or {}).get("type")
            try:
                data[name] = [_coerce(item_kind, v) for v in raw if v != ""]
            except ValueError as exc:
                problems[name] = [str(exc)]
            continue
        if kind == "boolean":
            data[name] = any(v in ("true", "on", "1", "yes") for v in raw)
            continue
        if not raw:
            continue
        text = raw[-1] if kind == "string" else raw[-1].strip()
        if text == "" and (kind != "string" or "enum" in node or "oneOf" in node):
            continue  # an empty number box or "—" choice is "not given": `required` speaks
        try:
            data[name] = _coerce(kind, text)
            if node.get("format") == "date-time" and text.strip():
                data[name] = _date_time(text, zone)
        except ValueError as exc:
            data[name] = text  # kept so the page shows what was typed
            problems[name] = [str(exc)]
    return data, problems


def _kept_references(raw: list[str]) -> tuple[list[dict[str, Any]], bool]:
    kept, broken = [], False
    for text in raw:
        if not text:
            continue
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if documents.is_reference(value):
            kept.append(dict(value))
        else:
            broken = True
    return kept, broken


def _coerce(kind: Any, text: str) -> Any:
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueError(NOT_INTEGER) from None
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(NOT_NUMBER) from None
        return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    if kind == "boolean":
        return text in ("true", "on", "1", "yes")
    return text


def _date_time(text: str, zone: dt.tzinfo) -> str:
    try:
        return datetime_from_input(text, zone)
    except ValueError:
        raise ValueError(NOT_DATE_TIME) from None


def date_input_value(value: Any) -> str:
    """The value an <input type=date> shows for a stored ISO date."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return value
    return ""



def field_label(node: Mapping[str, Any], locale: str, fallback: str, translate: Translate = _untranslated) -> str:
    """A field's (or any titled node's) label in `locale`, as the form shows it."""
    return _label(node, locale, fallback, translate)


def option_labels(node: Mapping[str, Any], locale: str, translate: Translate = _untranslated) -> dict[str, str]:
    """A choice field's stored values -> their labels in `locale`, as the form offers them."""
    return {option.value: option.label for option in _options(node, locale, translate)}
