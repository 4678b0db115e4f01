"""Form schemas that cannot be made slow: linear-time `pattern`s within `maxLength`, bounded size, depth and $refs."""
from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Any, Iterator

import re2
from jsonschema import ValidationError

MAX_SCHEMA_BYTES = 256 * 1024   # one form file; real forms are a few KB
MAX_SCHEMA_DEPTH = 32           # nesting of objects and arrays in a form file
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.max_mem = 8 << 20  # a pattern compiling to a bigger automaton is refused


@functools.lru_cache(maxsize=256)
def compiled_pattern(pattern: str) -> Any:
    """The pattern in RE2 (linear time in the input, no backtracking); re2.error when RE2 cannot take it."""
    return re2.compile(pattern, _RE2_OPTIONS)


def pattern_problem(pattern: Any) -> str | None:
    if not isinstance(pattern, str):
        return None  # the metaschema reports the type
    try:
        compiled_pattern(pattern)
    except re2.error as exc:
        return (f"pattern {pattern!r} cannot be used ({exc}); forms use linear-time regular expressions "
                "without backreferences or lookaround")
    return None


def pattern_keyword(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    """JSON Schema `pattern` in RE2, and never on a value already too long for `maxLength`."""
    if not validator.is_type(instance, "string"):
        return
    max_length = schema.get("maxLength")
    if isinstance(max_length, int) and len(instance) > max_length:
        return  # maxLength reports it; matching a huge value would only cost time
    try:
        matched = compiled_pattern(pattern).search(instance) is not None
    except re2.error:
        matched = False  # refused at deploy; a stored older schema fails closed
    if not matched:
        yield ValidationError(f"{instance[:80]!r} does not match {pattern!r}")


def multiple_of_keyword(validator: Any, multiple: Any, instance: Any,
                        schema: dict[str, Any]) -> Iterator[ValidationError]:
    """JSON Schema `multipleOf` in decimal: 19.99 is a multiple of 0.01 as a clerk reads it, where binary
    floating point (19.99 / 0.01 = 1998.9999…) would refuse an ordinary amount of money."""
    if not validator.is_type(instance, "number"):
        return
    try:
        quotient = Decimal(str(instance)) / Decimal(str(multiple))
        whole = quotient == quotient.to_integral_value()
    except (InvalidOperation, ArithmeticError):
        whole = False  # an infinite or absurd value is no multiple of anything
    if not whole:
        yield ValidationError(f"{instance!r} is not a multiple of {multiple}")


def depth(value: Any, limit: int = MAX_SCHEMA_DEPTH) -> int:
    """Nesting depth of JSON data, counted without recursion and stopping once past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _refs(node: Any, where: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            else:
                yield from _refs(value, (*where, str(key)))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _refs(item, (*where, str(index)))


def _target(ref: str) -> tuple[str, ...] | None:
    if not ref.startswith("#"):
        return None
    pointer = ref[1:].strip("/")
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")) if pointer else ()


def recursive_refs(schema: Any) -> list[str]:
    """Every local $ref that leads back to itself: validating it would never end."""
    refs = [(where, ref, _target(ref)) for where, ref in _refs(schema)]
    # ref A leads to ref B when B sits inside the part of the schema A points to
    leads_to = {i: [j for j, (where, _, _) in enumerate(refs) if target is not None and where[:len(target)] == target]
                for i, (_, _, target) in enumerate(refs)}
    found = []
    for start, (where, ref, _) in enumerate(refs):
        seen, stack = set(), list(leads_to[start])
        while stack:
            current = stack.pop()
            if current == start:
                found.append(f"{'/'.join(where) or '(root)'}: $ref {ref!r} refers back to itself; "
                             "forms cannot be recursive")
                break
            if current not in seen:
                seen.add(current)
                stack.extend(leads_to[current])
    return found
