"""HTML input attributes that say what the schema says (type, bounds, required), and date-times between
the user's wall clock and the stored RFC 3339 value."""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

INPUT_TYPES = {"number": "number", "integer": "number", "date": "date", "datetime": "datetime-local",
               "email": "email", "tel": "tel"}
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def may_be_empty(node: Mapping[str, Any]) -> bool:
    """A required field whose schema explicitly accepts an empty answer (`minLength: 0`, `minItems: 0`):
    the name is always sent (diagrams read it), a value is not needed, so the form does not mark it."""
    return node.get("minLength") == 0 or node.get("minItems") == 0


def input_attributes(node: Mapping[str, Any], widget: str) -> dict[str, str]:
    """Attributes of the <input> for a text-like widget: its type and the schema's bounds."""
    attributes = {"type": INPUT_TYPES.get(widget, "text")}
    if widget in ("number", "integer"):
        for keyword, attribute in (("minimum", "min"), ("maximum", "max")):
            if _is_number(node.get(keyword)):
                attributes[attribute] = _number_text(node[keyword])
        step = node.get("multipleOf")
        attributes["step"] = _number_text(step) if _is_number(step) else ("1" if widget == "integer" else "any")
    if isinstance(node.get("maxLength"), int) and widget not in ("number", "integer", "date", "datetime"):
        attributes["maxlength"] = str(node["maxLength"])
    return attributes


def required_when(schema: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Fields an `if`/`then` requires in one situation: field -> {deciding field: its values (as the form
    posts them)}. Only the plain shape the forms use (`if` a const or enum of one field); the page uses it
    as a hint, the server's validation decides."""
    branches = [schema] + [b for b in schema.get("allOf") or [] if isinstance(b, Mapping)]
    found: dict[str, dict[str, list[str]]] = {}
    for branch in branches:
        condition, then = branch.get("if"), branch.get("then")
        if not isinstance(condition, Mapping) or not isinstance(then, Mapping):
            continue
        tests = condition.get("properties")
        if not isinstance(tests, Mapping) or len(tests) != 1:
            continue
        ((decider, test),) = tests.items()
        values = [test["const"]] if isinstance(test, Mapping) and "const" in test else \
            list(test.get("enum") or []) if isinstance(test, Mapping) else []
        if not values:
            continue
        longer = [n for n, node in (then.get("properties") or {}).items()
                  if isinstance(node, Mapping) and isinstance(node.get("minLength"), int) and node["minLength"] > 0]
        # A name the branch only asks to be sent, whose own schema accepts "" (`minLength: 0`), needs no value.
        fields = schema.get("properties") or {}
        needed = [n for n in then.get("required") or [] if isinstance(n, str) and
                  not (isinstance(fields.get(n), Mapping) and may_be_empty(fields[n]) and n not in longer)]
        needed += [n for n in longer if n not in needed]
        for name in needed:
            known = found.setdefault(name, {}).setdefault(decider, [])
            known.extend(v for v in map(_posted, values) if v not in known)
    return found


def _posted(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def datetime_from_input(text: str, zone: dt.tzinfo) -> str:
    """What a datetime-local box sends (the user's wall clock) as RFC 3339 in UTC; ValueError if it is not a time."""
    moment = dt.datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def datetime_input_value(value: Any, zone: dt.tzinfo) -> str:
    """A stored RFC 3339 date-time as the user's wall clock for a datetime-local box (text it cannot read: as is)."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(zone).strftime(DATETIME_INPUT)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_text(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
