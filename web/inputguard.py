"""Refuse request input no layer below can store: NUL bytes, lone surrogates, deep or huge JSON, non-finite numbers."""
from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Flask, abort, request

MAX_DATA_BYTES = 1 * 2**20   # a JSON body or form post (start or task data); uploads have their own limit
MAX_JSON_DEPTH = 64          # the engine copies, hashes and stores data recursively
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # PostgreSQL stores no NUL; UTF-8 has no lone surrogates


class UnusableInput(ValueError):
    """Input that parses but cannot be stored as it is."""


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnusableInput(f"the number {text[:20]} is too large")
    return value


def _no_constant(name: str) -> Any:
    raise UnusableInput(f"{name} is not a JSON number")


def check_data(value: Any, where: str = "the JSON body") -> None:
    """Walk parsed JSON without recursion; raise UnusableInput naming what cannot be stored."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise UnusableInput(f"{where} is nested more than {MAX_JSON_DEPTH} levels deep")
        if isinstance(node, str):
            if _UNSTORABLE.search(node):
                raise UnusableInput(f"{where} contains a NUL character or a lone surrogate (not text)")
        elif isinstance(node, dict):
            stack.extend((key, depth + 1) for key in node)
            stack.extend((item, depth + 1) for item in node.values())
        elif isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)


def parse_json(body: bytes) -> Any:
    """JSON as the engine can store it, or UnusableInput/ValueError saying why not."""
    try:
        value = json.loads(body, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:
        raise UnusableInput(f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep") from None
    check_data(value)
    return value


def _refuse_unstorable_request() -> None:
    texts = [request.path, *request.args.keys(), *request.args.values()]
    if any(_UNSTORABLE.search(text) for text in texts):
        abort(400, description="the address contains a NUL character or a lone surrogate")
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.mimetype == "multipart/form-data":
        # Files are bounded by MAX_CONTENT_LENGTH and checked one by one; the text beside them (a task form
        # with a file field) must still be storable.
        if any(_UNSTORABLE.search(text) for text in [*request.form.keys(), *request.form.values()]):
            abort(400, description="the form contains a NUL character or a lone surrogate")
        return
    if (request.content_length or 0) > MAX_DATA_BYTES:
        abort(413, description=f"request data may have at most {MAX_DATA_BYTES} bytes")
    if request.is_json:
        body = request.get_data(cache=True)
        if len(body) > MAX_DATA_BYTES:
            abort(413, description=f"request data may have at most {MAX_DATA_BYTES} bytes")
        try:
            parse_json(body)
        except UnusableInput as exc:
            abort(422, description=str(exc))
        except ValueError as exc:  # not JSON at all, or an integer over Python's 4,300 digits
            abort(400, description=f"the body is not usable JSON: {str(exc)[:200]}")
    elif request.mimetype == "application/x-www-form-urlencoded":
        values = [*request.form.keys(), *request.form.values()]
        if any(_UNSTORABLE.search(text) for text in values):
            abort(400, description="the form contains a NUL character or a lone surrogate")


def init_app(app: Flask) -> None:
    app.before_request(_refuse_unstorable_request)
