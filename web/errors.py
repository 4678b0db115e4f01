"""Engine errors mapped to HTTP once: a friendly page for browsers, one JSON shape for the API."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import (
    CasedeskError,
    Conflict,
    DefinitionInvalid,
    Forbidden,
    InvalidInput,
    NotFound,
    ScriptRejected,
)

# The one mapping from engine exceptions to status codes (most specific first).
STATUS_OF: list[tuple[type[CasedeskError], int]] = [
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (InvalidInput, 422),
    (DefinitionInvalid, 422),
    (ScriptRejected, 422),
]
API_PREFIX = "/api/"


def status_of(error: BaseException) -> int:
    if isinstance(error, HTTPException):
        return error.code or 500
    for kind, status in STATUS_OF:
        if isinstance(error, kind):
            return status
    return 400 if isinstance(error, CasedeskError) else 500


def error_body(error: BaseException) -> dict[str, Any]:
    """`{"error": {"status", "code", "message", "fields"?, "problems"?}}` for every failure."""
    status = status_of(error)
    if isinstance(error, HTTPException):
        code, message = (error.name or "error").lower().replace(" ", "_"), error.description or error.name
    else:
        code = type(error).__name__ if isinstance(error, CasedeskError) else "internal_error"
        message = str(error) if isinstance(error, CasedeskError) else "internal server error"
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if isinstance(error, InvalidInput):
        body["fields"] = error.field_errors
    if isinstance(error, DefinitionInvalid):
        body["problems"] = [{"file": p.file, "element_id": p.element_id, "element_name": p.element_name,
                             "message": p.message} for p in error.problems]
    return {"error": body}


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX) or (
        request.accept_mimetypes.best == "application/json" and not request.accept_mimetypes.accept_html)


def _respond(error: BaseException) -> ResponseReturnValue:
    status = status_of(error)
    body = error_body(error)
    if wants_json():
        return jsonify(body), status
    return render_template("error.html", error=body["error"]), status


def init_app(app: Flask) -> None:
    app.register_error_handler(CasedeskError, _respond)
    app.register_error_handler(CSRFError, _respond)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code is not None and error.code < 400:  # redirects raised as exceptions pass through
            return error
        return _respond(error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        if app.testing:  # tests see the real traceback
            raise error
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(error)
