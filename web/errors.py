"""Engine errors mapped to HTTP once: one JSON error shape (API and JSON clients), a friendly HTML page."""
from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from engine.documents.service import DocumentTooLarge, DocumentTypeRefused
from engine.errors import (
    CasedeskError,
    Conflict,
    DefinitionInvalid,
    DefinitionUnloadable,
    Forbidden,
    HandlerRefused,
    InvalidInput,
    NotFound,
    ScriptRejected,
    Worded,
)
from engine.throttle import Throttled
from engine.tokens import AuthenticationFailed

from .formmessages import friendly_errors, in_language, invalid_input_message

# The one mapping from engine exceptions to status codes; the first match in this order wins.
STATUS_OF: list[tuple[type[CasedeskError], int]] = [
    (AuthenticationFailed, 401),
    (Throttled, 429),
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (DefinitionUnloadable, 409),  # the version's state on this server, not the request, is at fault
    (DefinitionInvalid, 422),
    (DocumentTooLarge, 413),
    (DocumentTypeRefused, 415),
    (InvalidInput, 422),
    (ScriptRejected, 422),
]
CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
         429: "too_many_attempts",
         422: "invalid_input", 500: "internal_error", 503: "busy"}
API_PREFIX = "/api/"


RETRY_AFTER_SECONDS = 2


def _database_busy(error: BaseException) -> bool:
    """SQLite's lock time-out (another writer held the database): try again shortly, a 503."""
    for cause in (error, error.__cause__):  # the engine reports it as a Conflict caused by the lock
        if isinstance(cause, OperationalError) and "locked" in str(cause.orig).lower():
            return True
    return False


def retry_after(error: BaseException) -> int:
    """Seconds a refused client should wait: the lockout's rest, or a moment for a busy database."""
    return error.retry_after if isinstance(error, Throttled) else RETRY_AFTER_SECONDS


def status_of(error: BaseException) -> int:
    if isinstance(error, HTTPException):
        return error.code or 500
    if _database_busy(error):
        return 503
    if isinstance(error, (DataError, OverflowError)):  # a value the database cannot store (too long, too big)
        return 422
    for kind, status in STATUS_OF:
        if isinstance(error, kind):
            return status
    return 400 if isinstance(error, CasedeskError) else 500


def error_body(status: int, message: str, fields: dict[str, list[str]] | None = None,
               problems: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """`{"error": {"status", "code", "message", "fields", "problems"}}`: the shape of every error."""
    code = CODES.get(status) or HTTPStatus(status).phrase.lower().replace(" ", "_")
    return {"error": {"status": status, "code": code, "message": message, "fields": fields or {},
                      "problems": problems or []}}


def http_message(error: HTTPException) -> str:
    if isinstance(error, RequestEntityTooLarge) and error.description == RequestEntityTooLarge.description:
        # Werkzeug's own sentence names no limit; the client needs the number to send less.
        return (f"a request may have at most {current_app.config.get('MAX_CONTENT_LENGTH')} bytes "
                "(CASEDESK_MAX_REQUEST_BYTES); nothing was stored")
    return error.description or error.name


def error_body_of(error: BaseException) -> dict[str, Any]:
    status = status_of(error)
    if isinstance(error, HTTPException):
        message = http_message(error)
    elif _database_busy(error):
        message = f"the database is busy; nothing was changed, try again in {RETRY_AFTER_SECONDS} seconds"
    elif isinstance(error, InvalidInput):
        message = invalid_input_message(error)  # casework's and the handlers' sentences in the requester's language
    elif isinstance(error, Worded):  # a record casework cannot find, a request it lost a race with
        message = in_language(error.template, error.params) or str(error)
    elif isinstance(error, CasedeskError):
        message = str(error)
    elif isinstance(error, (DataError, OverflowError)):
        message = "a value is too long or a number too large to be stored; nothing was changed"
    else:
        message = "internal error; nothing was changed"
    fields = error.field_errors if isinstance(error, InvalidInput) else {}
    if isinstance(error, HandlerRefused):
        # A handler names a field with a message key ("no such user"): the requester reads it in their language,
        # worded as the task page words it.
        fields = friendly_errors(fields)
    problems = ([{"file": p.file, "element_id": p.element_id, "element_name": p.element_name, "message": p.message}
                 for p in error.problems] if isinstance(error, DefinitionInvalid) else [])
    return error_body(status, message, fields, problems)


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX) or (
        request.accept_mimetypes.best == "application/json" and not request.accept_mimetypes.accept_html)


def _respond(error: BaseException) -> ResponseReturnValue:
    body = error_body_of(error)
    status = body["error"]["status"]
    headers = {"Retry-After": str(retry_after(error))} if status in (429, 503) else {}
    if wants_json():
        return jsonify(body), status, headers
    # Werkzeug's own descriptions are English sentences: a page says it in the reader's language instead.
    generic = isinstance(error, HTTPException) and error.description == type(error).description
    return render_template("error.html", error=body["error"], generic=generic), status, headers


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
        if status_of(error) < 500 or _database_busy(error):
            return _respond(error)
        if app.testing:  # tests see the real traceback
            raise error
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(error)
