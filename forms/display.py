"""What a task page shows of the case's earlier data: a form's `x-show` list, labelled and formatted.

A form declares, in a top-level `x-show` list, which case data its task needs, in order. Each entry names
a variable (`name`, a dotted path reaches into a record: `materials_filing.archive_number`) and takes its
label and choice labels either from the field of the earlier form that produced it (`from`: that form's
file name; `field` when the property has another name) or from its own `title`; `format` says how the
value reads (else it follows the field's type).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Mapping, Protocol

from .documents import is_reference
from .fields import Translate, field_label, option_labels
from .schema import SHOW_KEYWORD

_MISSING = object()


class Formatter(Protocol):
    """How the page's language and time zone write values (the web layer supplies it)."""

    def date(self, value: dt.date) -> str: ...
    def date_time(self, value: dt.datetime) -> str: ...
    def money(self, value: Decimal, currency: str) -> str: ...
    def number(self, value: int | float) -> str: ...
    def yes_no(self, value: bool) -> str: ...
    def duration(self, value: str) -> str: ...


@dataclass(frozen=True)
class ShownValue:
    """One labelled value; `items` holds the entries of a list (shown as a list, not as one line)."""

    name: str
    label: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    is_list: bool = False


def shown_data(schema: Mapping[str, Any], forms: Mapping[str, Mapping[str, Any]], data: Mapping[str, Any],
               locale: str, formatter: Formatter, translate: Translate = str) -> list[ShownValue]:
    """The values `schema`'s `x-show` list names, in its order; names the case does not have yet are left out."""
    shown = []
    for entry in schema.get(SHOW_KEYWORD) or []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            continue
        value = _lookup(data, entry["name"])
        if value is _MISSING:
            continue
        node = _source_field(entry, forms)
        shown.append(_shown(entry["name"], entry, node, value, locale, formatter, translate,
                            _part_labels(entry["name"], node, forms, locale, translate),
                            _part_fields(entry["name"], node, forms)))
    return shown


def labelled_data(forms: Mapping[str, Mapping[str, Any]], data: Mapping[str, Any], locale: str,
                  formatter: Formatter, described_only: bool = False, translate: Translate = str) -> list[ShownValue]:
    """The case's data, each name labelled by the form field (or `x-show` entry) that describes it, in `locale`;
    a name no form labels reads as words on an English page and as itself on any other (never English words on
    a Chinese page). `described_only` leaves out what no form describes (engine bookkeeping, service results)."""
    known = _described_names(forms)
    rows = []
    for name, value in data.items():
        if described_only and name not in known:
            continue
        entry, node = known.get(name, ({}, {}))
        rows.append(_shown(name, entry, node, value, locale, formatter, translate,
                           _part_labels(name, node, forms, locale, translate), _part_fields(name, node, forms)))
    return sorted(rows, key=lambda row: row.label.casefold())


def _described_names(forms: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Name -> (x-show entry, form field) describing it: a form field first (forms by file name, the first
    wins), else an `x-show` entry's own title."""
    described: dict[str, tuple[Mapping[str, Any], Mapping[str, Any]]] = {}
    for _file, schema in sorted(forms.items()):
        for name, node in (schema.get("properties") or {}).items():
            if isinstance(node, Mapping):
                described.setdefault(name, ({}, node))
    for _file, schema in sorted(forms.items()):
        for entry in schema.get(SHOW_KEYWORD) or []:
            if isinstance(entry, Mapping) and isinstance(entry.get("name"), str) and "title" in entry \
                    and "." not in entry["name"]:
                described.setdefault(entry["name"], (entry, {}))
    return described


def _part_labels(name: str, node: Mapping[str, Any], forms: Mapping[str, Mapping[str, Any]], locale: str,
                 translate: Translate) -> dict[str, str]:
    """A record's keys -> their labels in `locale`: the titles of the record field's own properties, else of an
    `x-show` entry naming the part (`materials_filing.archive_number`)."""
    labels: dict[str, str] = {}
    for key, part in (node.get("properties") or {}).items():
        if isinstance(part, Mapping) and "title" in part:
            labels[key] = field_label(part, locale, key, translate)
    for _file, schema in sorted(forms.items()):
        for entry in schema.get(SHOW_KEYWORD) or []:
            if isinstance(entry, Mapping) and "title" in entry and str(entry.get("name", "")).startswith(f"{name}."):
                key = str(entry["name"])[len(name) + 1:]
                if "." not in key:
                    labels.setdefault(key, field_label(entry, locale, key, translate))
    return labels


def _part_fields(name: str, node: Mapping[str, Any],
                 forms: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """A record's keys -> the form field that says how each part's value reads (its choice labels, its format): the
    record field's own property, else the field an `x-show` entry naming the part comes `from`, else a form's field
    of that name (the case value a service copied into its record, `leave.leave_type` from `leave_type`)."""
    fields: dict[str, Mapping[str, Any]] = {}
    for key, part in (node.get("properties") or {}).items():
        if isinstance(part, Mapping):
            fields[key] = part
    for _file, schema in sorted(forms.items()):
        for entry in schema.get(SHOW_KEYWORD) or []:
            if isinstance(entry, Mapping) and entry.get("from") and str(entry.get("name", "")).startswith(f"{name}."):
                key = str(entry["name"])[len(name) + 1:]
                source = _source_field({**entry, "name": key}, forms)
                if "." not in key and source:
                    fields.setdefault(key, source)
    for _file, schema in sorted(forms.items()):
        for key, part in (schema.get("properties") or {}).items():
            if isinstance(part, Mapping):
                fields.setdefault(key, part)
    return fields


def _source_field(entry: Mapping[str, Any], forms: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any]:
    source = forms.get(str(entry.get("from") or "")) or {}
    node = (source.get("properties") or {}).get(entry.get("field") or entry["name"])
    return node if isinstance(node, Mapping) else {}


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _shown(name: str, entry: Mapping[str, Any], node: Mapping[str, Any], value: Any, locale: str,
           formatter: Formatter, translate: Translate, parts: Mapping[str, str] | None = None,
           part_fields: Mapping[str, Mapping[str, Any]] | None = None) -> ShownValue:
    if "title" in entry:
        label = field_label(entry, locale, "", translate)
    else:
        label = field_label(node, locale, _unlabelled(name, locale), translate)
    parts, part_fields = parts or {}, part_fields or {}
    kind = entry.get("format") or _format_of(node, value)
    if is_reference(value):
        value = [value]  # one attached file reads as a list of one
    if kind == "list" or isinstance(value, (list, Mapping)):
        items_node = node.get("items")
        options = option_labels(items_node, locale, translate) if isinstance(items_node, Mapping) else {}
        if isinstance(value, Mapping):  # a record, a count per stage, per class …: one line each
            items = [_part_line(str(key), item, parts, part_fields.get(str(key)) or {}, entry, locale, formatter,
                                translate) for key, item in value.items()]
        else:
            items = [_written(item, options, "enum" if options else _format_of({}, item), entry, formatter, locale)
                     for item in (value if isinstance(value, list) else [value])]
        return ShownValue(name, label, items=items, is_list=True)
    options = option_labels(node, locale, translate)
    if kind == "text" and isinstance(value, str):
        # Text a service or decision table wrote (the quality requirement) is English in the bundle and
        # has its translation in the catalogues; what people typed has none and stays as typed.
        return ShownValue(name, label, text=translate(value) or "—")
    return ShownValue(name, label, text=_written(value, options, kind, entry, formatter, locale))


def _part_line(key: str, value: Any, parts: Mapping[str, str], part: Mapping[str, Any], entry: Mapping[str, Any],
               locale: str, formatter: Formatter, translate: Translate) -> str:
    """One part of a record, `label: value`, as the form field describing the part writes it (a choice by its label
    in `locale`, a date as a date); a part of another kind than its namesake field reads as stored."""
    kind = _format_of(part, value)
    options = option_labels(part, locale, translate) if kind == "enum" else {}
    if (kind == "enum" and str(value) not in options) or (kind == "yes-no" and not isinstance(value, bool)):
        part, kind = {}, _format_of({}, value)  # not a value the namesake field could have given: not that field's
    label = parts.get(key) or (field_label(part, locale, key, translate) if "title" in part
                               else _unlabelled(key, locale))
    if isinstance(value, (Mapping, list)):
        kind = "text"
    return f"{label}: {_written(value, options, kind, entry, formatter, locale)}"


def _format_of(node: Mapping[str, Any], value: Any) -> str:
    if "enum" in node or "oneOf" in node:
        return "enum"
    if node.get("type") == "boolean" or isinstance(value, bool):
        return "yes-no"
    if node.get("format") in ("date", "date-time"):
        return str(node["format"])
    if node.get("type") in ("number", "integer") or isinstance(value, (int, float)):
        return "number"
    return "text"


def _written(value: Any, options: Mapping[str, str], kind: str, entry: Mapping[str, Any], formatter: Formatter,
             locale: str = "en") -> str:
    """One value as a person reads it; a value that does not fit its format is shown as it is."""
    if value is None or value == "":
        return "—"
    writers: dict[str, Callable[[], str]] = {
        "enum": lambda: options.get(str(value), str(value)),
        "yes-no": lambda: formatter.yes_no(bool(value)),
        "date": lambda: formatter.date(dt.date.fromisoformat(str(value)[:10])),
        "date-time": lambda: formatter.date_time(_aware(dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")))),
        "money": lambda: formatter.money(Decimal(str(value)), str(entry.get("currency") or "CNY")),
        "number": lambda: formatter.number(value) if isinstance(value, (int, float)) else str(value),
        "duration": lambda: formatter.duration(str(value)),
    }
    try:
        return writers[kind]() if kind in writers else _plain(value, locale)
    except (ValueError, InvalidOperation):
        return _plain(value, locale)


def _plain(value: Any, locale: str = "en") -> str:
    if is_reference(value):  # an attached file: its name and the start of its hash (the case page lists it fully)
        return f"{value['name']} · {value['sha256'][:12]}"
    if isinstance(value, Mapping):
        return "; ".join(f"{_unlabelled(str(k), locale)}: {_plain(v, locale)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v, locale) for v in value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


def _unlabelled(name: str, locale: str) -> str:
    """A name no form labels: as words on an English page; on a page in another language the name as stored,
    which reads the same in every language, rather than English words among Chinese ones."""
    return _readable(name) if locale == "en" else name


def _readable(name: str) -> str:
    """A name no form describes, as words (`materials_filing` → `Materials filing`), never shown to staff."""
    words = name.replace("_", " ").replace(".", " · ").strip()
    return words[:1].upper() + words[1:]
