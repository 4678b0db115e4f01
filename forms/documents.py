"""File fields in forms: the schema convention, the limits it states, and the reference a field stores.

A document field is a property whose schema (or whose `items`, for a list of files) has
`"format": "casedesk-document"`; its value is a *reference* to content stored once by SHA-256:
`{"sha256": "…64 hex…", "name": "contract.pdf", "size": 1234, "media_type": "application/pdf"}`.
The field may narrow the accepted types (`x-casedesk-accept`: media types) and the size of one file
(`x-casedesk-max-size`: bytes); without them every type of `ACCEPTED_TYPES` up to `MAX_DOCUMENT_BYTES`.
The reference is part of the task's data, so the event log, its hash chain and replay cover the hash.
"""
from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

DOCUMENT_FORMAT = "casedesk-document"
ACCEPT_KEYWORD = "x-casedesk-accept"
MAX_SIZE_KEYWORD = "x-casedesk-max-size"
MAX_DOCUMENT_BYTES = 10 * 2**20
MAX_NAME_LENGTH = 255
# What the content sniffer recognises (engine/documents/sniff.py), with the names such files carry.
ACCEPTED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "text/plain": (".txt",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
REFERENCE_KEYS = frozenset({"sha256", "name", "size", "media_type"})
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def is_document_field(node: Any) -> bool:
    """A property holding one document reference, or a list of them."""
    if not isinstance(node, Mapping):
        return False
    if node.get("format") == DOCUMENT_FORMAT:
        return True
    items = node.get("items")
    return node.get("type") == "array" and isinstance(items, Mapping) and items.get("format") == DOCUMENT_FORMAT


def is_list_field(node: Mapping[str, Any]) -> bool:
    return node.get("type") == "array"


def document_fields(schema: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The form's document fields by name."""
    properties = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
    return {name: node for name, node in properties.items() if is_document_field(node)}


def accepted_types(node: Mapping[str, Any]) -> list[str]:
    accept = node.get(ACCEPT_KEYWORD)
    return [t for t in accept if t in ACCEPTED_TYPES] if isinstance(accept, list) else list(ACCEPTED_TYPES)


def max_size(node: Mapping[str, Any]) -> int:
    size = node.get(MAX_SIZE_KEYWORD)
    if isinstance(size, int) and not isinstance(size, bool) and 0 < size <= MAX_DOCUMENT_BYTES:
        return size
    return MAX_DOCUMENT_BYTES


def accept_attribute(node: Mapping[str, Any]) -> str:
    """The <input type=file accept=…> hint: media types and the names they carry (the server decides)."""
    types = accepted_types(node)
    return ",".join(types + [ext for t in types for ext in ACCEPTED_TYPES[t]])


def is_reference(value: Any) -> bool:
    """The shape of a stored reference (checked as JSON Schema `format` and when data is scanned)."""
    return (isinstance(value, Mapping) and set(value) == REFERENCE_KEYS
            and isinstance(value["sha256"], str) and bool(_SHA256.match(value["sha256"]))
            and isinstance(value["name"], str) and 0 < len(value["name"]) <= MAX_NAME_LENGTH
            and isinstance(value["size"], int) and not isinstance(value["size"], bool) and value["size"] >= 0
            and value["media_type"] in ACCEPTED_TYPES)


def check_reference_format(value: object) -> bool:
    """JSON Schema `format: casedesk-document`: only objects are checked (as for every format)."""
    return not isinstance(value, Mapping) or is_reference(value)


def field_references(node: Mapping[str, Any], value: Any) -> list[Mapping[str, Any]]:
    """The references a field's value holds (one, a list, or none)."""
    values = value if isinstance(value, list) else [value] if value is not None else []
    return [v for v in values if is_reference(v)]


def references_in(data: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(variable, reference) for every reference a case's data holds at its top level, in order."""
    for name, value in data.items():
        for item in (value if isinstance(value, list) else [value]):
            if is_reference(item):
                yield name, item


def schema_problems(schema: Mapping[str, Any]) -> list[str]:
    """Why a form's document fields are malformed (checked at deploy with the rest of the schema)."""
    problems = []
    for name, node in document_fields(schema).items():
        accept = node.get(ACCEPT_KEYWORD)
        if accept is not None and not (isinstance(accept, list) and accept and all(t in ACCEPTED_TYPES for t in accept)):
            problems.append(f"properties/{name}: {ACCEPT_KEYWORD} must be a non-empty list of media types from: "
                            + ", ".join(ACCEPTED_TYPES))
        size = node.get(MAX_SIZE_KEYWORD)
        if size is not None and not (isinstance(size, int) and not isinstance(size, bool)
                                     and 0 < size <= MAX_DOCUMENT_BYTES):
            problems.append(f"properties/{name}: {MAX_SIZE_KEYWORD} must be a whole number of bytes from 1 to "
                            f"{MAX_DOCUMENT_BYTES}")
    return problems


def reference(sha256: str, name: str, size: int, media_type: str) -> dict[str, Any]:
    return {"sha256": sha256, "name": name, "size": size, "media_type": media_type}
