"""JSON Schema handling for user-task forms: load and check schemas, validate submissions."""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Callable, Iterator, Mapping

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema.validators import extend, validator_for
from referencing.exceptions import Unresolvable

from . import bounds
from . import documents

# Schemas carry `title` in English and `x-title-zh` for zh-Hans; JSON Schema ignores unknown
# keywords, so both (and `errorMessage`) pass the metaschema without registration.
TITLE_KEYWORDS = {"en": "title", "zh-Hans": "x-title-zh"}
ERROR_MESSAGE_KEYWORD = "errorMessage"
TOP_LEVEL_FIELD = ""
# `x-show`: which earlier case data a form's task page shows (forms/display.py), and how values read.
SHOW_KEYWORD = "x-show"
SHOW_FORMATS = ("text", "date", "date-time", "money", "number", "list", "yes-no", "enum", "duration")
# `x-choices-from`: a field's choices come from data on the server (the web layer's registry of sources).
CHOICES_FROM_KEYWORD = "x-choices-from"
CHOICE_SOURCES = ("archive_numbers",)

_RFC3339_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?$"
)


class FormSchemaError(ValueError):
    """A form schema file is not JSON, not an object, or not a valid JSON Schema."""


def load_schema(data: bytes, filename: str) -> dict[str, Any]:
    """Decode a form schema file and check it; raise FormSchemaError naming the file."""
    schema = load_json_object(data, filename)
    problems = check_schema(schema)
    if problems:
        raise FormSchemaError(f"{filename}: not a valid JSON Schema: " + "; ".join(problems))
    return schema


def load_json_object(data: bytes, filename: str) -> dict[str, Any]:
    """Decode a JSON file that must hold an object (e.g. a UI schema); raise FormSchemaError."""
    if len(data) > bounds.MAX_SCHEMA_BYTES:
        raise FormSchemaError(f"{filename}: {len(data)} bytes; a form file may have at most "
                              f"{bounds.MAX_SCHEMA_BYTES} bytes")
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FormSchemaError(f"{filename}: not UTF-8 text: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise FormSchemaError(f"{filename}: not valid JSON: line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        value = None  # nested deeper than the parser goes: reported as too deep below
    if value is None or bounds.depth(value) > bounds.MAX_SCHEMA_DEPTH:
        raise FormSchemaError(f"{filename}: nested more than {bounds.MAX_SCHEMA_DEPTH} levels deep; "
                              "flatten the form")
    if not isinstance(value, dict):
        raise FormSchemaError(f"{filename}: must be a JSON object")
    return value


def check_schema(schema: dict[str, Any]) -> list[str]:
    """Every reason `schema` is not a valid JSON Schema (Draft 2020-12 unless it says otherwise)."""
    if not isinstance(schema, dict):
        return ["a form schema must be a JSON object"]
    if bounds.depth(schema) > bounds.MAX_SCHEMA_DEPTH:
        return [f"nested more than {bounds.MAX_SCHEMA_DEPTH} levels deep; flatten the form"]
    validator_class = validator_for(schema, default=Draft202012Validator)
    meta_validator = validator_class(validator_class.META_SCHEMA)
    problems = [
        f"{_pointer(error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(meta_validator.iter_errors(schema), key=lambda e: list(map(str, e.absolute_path)))
    ]
    # Forms are rendered offline; a remote $ref would either fail or fetch from the network.
    problems += [f"{where}: only local '$ref' (starting with '#') is allowed, got {ref!r}"
                 for where, ref in _remote_refs(schema)]
    problems += bounds.recursive_refs(schema)
    problems += show_entries_problems(schema)
    problems += [f"properties/{name}: {CHOICES_FROM_KEYWORD} {node[CHOICES_FROM_KEYWORD]!r} is not a source of "
                 f"choices; known: {', '.join(CHOICE_SOURCES)}"
                 for name, node in (schema.get("properties") if isinstance(schema.get("properties"), dict) else {}).items()
                 if isinstance(node, dict) and CHOICES_FROM_KEYWORD in node
                 and node[CHOICES_FROM_KEYWORD] not in CHOICE_SOURCES]
    problems += documents.schema_problems(schema)
    problems += [f"{where}: {problem}" for where, pattern in _patterns(schema)
                 if (problem := bounds.pattern_problem(pattern))]
    return problems


def show_entries_problems(schema: Mapping[str, Any]) -> list[str]:
    """Why a form's `x-show` list is malformed (checked at deploy with the rest of the schema)."""
    entries = schema.get(SHOW_KEYWORD)
    if entries is None:
        return []
    if not isinstance(entries, list):
        return [f"{SHOW_KEYWORD}: must be a list of entries such as {{\"name\": \"question\", "
                "\"from\": \"receive_consultation.schema.json\"}"]
    problems = []
    for index, entry in enumerate(entries):
        where = f"{SHOW_KEYWORD}/{index}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            problems.append(f"{where}: an entry is an object with a non-empty \"name\"")
            continue
        if "field" in entry and not isinstance(entry["field"], str):
            problems.append(f"{where}: \"field\" names a property of the form in \"from\"")
        if "from" in entry and not (isinstance(entry["from"], str) and entry["from"].endswith(".json")):
            problems.append(f"{where}: \"from\" names a form file (…schema.json)")
        if "format" in entry and entry["format"] not in SHOW_FORMATS:
            problems.append(f"{where}: format {entry['format']!r} is not one of {', '.join(SHOW_FORMATS)}")
        if "from" not in entry and not isinstance(entry.get("title"), str):
            problems.append(f"{where}: give a \"title\" or the form (\"from\") whose field labels it")
    return problems


def _patterns(node: Any, where: str = "(root)") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            inner = f"{where}/{key}" if where != "(root)" else key
            if key == "pattern":
                yield where, value
            elif key == "patternProperties" and isinstance(value, dict):
                yield from ((inner, name) for name in value)
            yield from _patterns(value, inner) if key != "pattern" else iter(())
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _patterns(item, f"{where}/{index}" if where != "(root)" else str(index))


def form_validator(schema: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, list[str]]]:
    """A reusable checker for one schema (building the validator is most of the cost)."""
    base_class = validator_for(schema, default=Draft202012Validator)
    validator_class = extend(base_class, {"pattern": bounds.pattern_keyword, "multipleOf": bounds.multiple_of_keyword})
    validator = validator_class(schema, format_checker=_format_checker(base_class))

    def field_errors(data: dict[str, Any]) -> dict[str, list[str]]:
        """Messages per field path ("amount", "items/0/name", "" for the whole form); empty if valid."""
        messages: dict[str, list[str]] = {}
        try:
            errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
        except Unresolvable as exc:
            return {TOP_LEVEL_FIELD: [f"the form schema has an unresolvable reference: {exc}"]}
        except RecursionError:  # a schema stored before recursive $refs were refused at deploy
            return {TOP_LEVEL_FIELD: ["the form schema refers to itself without end; ask its owner to fix it"]}
        for error in errors:
            # A failed anyOf/oneOf reports its branches as context; the leaf errors read better.
            for leaf in _leaf_errors(error):
                field, message = _field_and_message(leaf)
                field_messages = messages.setdefault(field, [])
                if message not in field_messages:
                    field_messages.append(message)
        for name in _left_empty(schema, data):
            messages[name] = [_required_text(schema, name)]
        return messages

    return field_errors


def _left_empty(schema: dict[str, Any], data: Any) -> list[str]:
    """Required fields sent as "" (or [] for a list) although their schema does not say empty is an answer
    (`minLength: 0`, `minItems: 0`): a web form sends every text box, so presence alone proves nothing."""
    if not isinstance(data, dict):
        return []
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    required = schema.get("required") if isinstance(schema.get("required"), list) else []
    empty = []
    for name in required:
        node = properties.get(name) if isinstance(properties.get(name), dict) else {}
        value = data.get(name, None)
        if (value == "" and node.get("minLength") != 0) or (value == [] and node.get("minItems") != 0):
            empty.append(name)
    return empty


def _required_text(schema: dict[str, Any], name: str) -> str:
    custom = schema.get(ERROR_MESSAGE_KEYWORD)
    if isinstance(custom, dict) and isinstance(custom.get("required"), dict) \
            and isinstance(custom["required"].get(name), str):
        return str(custom["required"][name])
    node = (schema.get("properties") or {}).get(name)
    field_custom = node.get(ERROR_MESSAGE_KEYWORD) if isinstance(node, dict) else None
    if isinstance(field_custom, dict) and isinstance(field_custom.get("required"), str):
        return str(field_custom["required"])
    return f"{name!r} is a required property"  # the validator's own wording: pages show "This field is required."


def validate_submission(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, list[str]]:
    """Messages per field path ("amount", "items/0/name", "" for the whole form); empty if valid."""
    return form_validator(schema)(data)


def schema_title(schema: dict[str, Any], language: str) -> str | None:
    """The schema's title in `language` ("en" or "zh-Hans"), falling back to English."""
    keyword = TITLE_KEYWORDS.get(language, "title")
    return schema.get(keyword) or schema.get("title")


def _format_checker(validator_class: Any) -> FormatChecker:
    checker = FormatChecker(formats=validator_class.FORMAT_CHECKER.checkers)
    if "date-time" not in checker.checkers:
        # jsonschema only checks date-time when an optional package is installed.
        checker.checks("date-time", raises=ValueError)(_is_date_time)
    # A file field's value: a reference to stored content (forms/documents.py).
    checker.checks(documents.DOCUMENT_FORMAT)(documents.check_reference_format)
    return checker


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339_DATE_TIME.match(value):
        return False
    datetime.fromisoformat(value.replace("z", "+00:00").replace("Z", "+00:00"))
    return True


def _leaf_errors(error: ValidationError) -> Iterator[ValidationError]:
    if error.context and error.validator in ("anyOf", "oneOf") and not _custom_message(error):
        deepest = max(len(e.absolute_path) for e in error.context)
        if deepest > len(error.absolute_path):
            yield from (e for e in error.context if len(e.absolute_path) == deepest)
            return
    yield error


def _field_and_message(error: ValidationError) -> tuple[str, str]:
    path = _pointer(error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = _missing_property(error)
        if missing is not None:
            field = f"{path}/{missing}" if path else missing
            return field, _required_message(error, missing) or error.message
    return path, _custom_message(error) or error.message


def _missing_property(error: ValidationError) -> str | None:
    # jsonschema yields one `required` error per missing property, named first in its message.
    for name in error.validator_value:
        if name not in error.instance and error.message.startswith(repr(name)):
            return name
    return None


def _custom_message(error: ValidationError) -> str | None:
    custom = error.schema.get(ERROR_MESSAGE_KEYWORD) if isinstance(error.schema, dict) else None
    if isinstance(custom, str):
        return custom
    if isinstance(custom, dict) and isinstance(custom.get(error.validator), str):
        return custom[error.validator]
    return None


def _required_message(error: ValidationError, missing: str) -> str | None:
    custom = error.schema.get(ERROR_MESSAGE_KEYWORD) if isinstance(error.schema, dict) else None
    if isinstance(custom, dict):
        required = custom.get("required")
        if isinstance(required, str):
            return required
        if isinstance(required, dict) and isinstance(required.get(missing), str):
            return required[missing]
    field_schema = error.schema.get("properties", {}).get(missing)
    if isinstance(field_schema, dict):
        field_custom = field_schema.get(ERROR_MESSAGE_KEYWORD)
        if isinstance(field_custom, dict) and isinstance(field_custom.get("required"), str):
            return field_custom["required"]
    return None


def _pointer(path: Any) -> str:
    return "/".join(str(part) for part in path)


def _remote_refs(node: Any, where: str = "(root)") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("$ref", "$dynamicRef") and isinstance(value, str) and not value.startswith("#"):
                yield where, value
            else:
                yield from _remote_refs(value, f"{where}/{key}" if where != "(root)" else key)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _remote_refs(item, f"{where}/{index}" if where != "(root)" else str(index))
