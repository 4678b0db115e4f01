"""Every API failure in the one JSON error shape of web/errors.py, on the API blueprints."""
from __future__ import annotations

from http import HTTPStatus
from typing import Any, TypeVar

import marshmallow as ma
from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from engine.errors import CasedeskError
from forms.schema import TOP_LEVEL_FIELD
from web.errors import RETRY_AFTER_SECONDS, error_body, error_body_of, http_message, retry_after

API_PREFIX = "/api/"
# The status mapping and the error shape live in web/errors.py, once for the API and the pages.


B = TypeVar("B", bound=Blueprint)


class ProblemSchema(ma.Schema):
    file = ma.fields.String()
    element_id = ma.fields.String()
    element_name = ma.fields.String()
    message = ma.fields.String()


class ErrorDetailSchema(ma.Schema):
    """HTTP status, a stable code, a sentence, per-field messages, deployment problems element by element."""

    status = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    field_errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), required=True,
                                  data_key="fields")
    problems = ma.fields.List(ma.fields.Nested(ProblemSchema), required=True)


class ErrorSchema(ma.Schema):
    """Every API error has this one shape."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)


def engine_error_response(error: CasedeskError) -> Response:
    response = _respond(error_body_of(error))
    if response.status_code in (429, 503):  # locked out, or a busy database: when to try again
        response.headers["Retry-After"] = str(retry_after(error))
    return response


def _busy_retry_after(response: Response) -> Response:
    if response.status_code == 503:  # the database was busy: the client may simply try again
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def http_error_response(error: HTTPException) -> Response:
    status = error.code or 500
    fields: dict[str, list[str]] = {}
    # webargs (through flask-smorest's abort) attaches the marshmallow messages per location.
    messages = (getattr(error, "data", None) or {}).get("messages")
    if isinstance(messages, dict):
        for location_messages in messages.values():
            fields.update(_flatten(location_messages))
    message = "the request has errors" if fields else (http_message(error) or HTTPStatus(status).phrase)
    response = _respond(error_body(status, message, fields))
    if status == 405 and isinstance(getattr(error, "valid_methods", None), list):
        response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return response


def unexpected_error_response(error: Exception) -> Response:
    body = error_body_of(error)  # a busy database (503) or a value the database cannot store (422)
    if body["error"]["status"] < 500 or body["error"]["status"] == 503:
        return _respond(body)
    current_app.logger.exception("unexpected error in %s %s", request.method, request.path, exc_info=error)
    return _respond(error_body(500, "internal error; nothing was changed"))


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def _respond(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.status_code = body["error"]["status"]
    _busy_retry_after(response)
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="casedesk"'
    return response


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested message dicts as field paths ("data/title") → messages."""
    if isinstance(messages, list):
        return {prefix or TOP_LEVEL_FIELD: [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key) if key != "_schema" else ""
            flat.update(_flatten(value, f"{prefix}/{name}".strip("/") if name else prefix))
    return flat


def install_error_handlers(blueprint: B) -> B:
    """API errors in the API's shape; other paths keep the app's own (HTML) handling."""
    blueprint.register_error_handler(CasedeskError, engine_error_response)
    blueprint.register_error_handler(HTTPException, http_error_response)
    # The engine rolled its transaction back before this runs: nothing half-applied.
    blueprint.register_error_handler(Exception, unexpected_error_response)
    return blueprint
