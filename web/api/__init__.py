"""The versioned JSON API `/api/v1` (flask-smorest + marshmallow); spec at /api/v1/openapi.json."""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import MethodNotAllowed, NotFound

from engine.bootstrap import Casedesk

from . import auth, instances, messages, processes, replay, tasks, users
from . import testruns
from . import documents
from .context import ApiServices
from .context import init_app as init_request_reading
from .errors import ErrorSchema, install_error_handlers

PREFIX = "/api/v1"
# Blueprint → mount point, in the order the OpenAPI document lists them.
BLUEPRINTS: list[tuple[Blueprint, str]] = [
    (auth.blp, "/auth"), (processes.blp, "/processes"), (instances.blp, "/instances"), (tasks.blp, "/tasks"),
    (replay.blp, "/instances"), (users.blp, "/users"), (messages.blp, "/messages"),
    (testruns.blp, "/processes"), (documents.blp, "/documents"),
    (documents.case_blp, "/instances"),
]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
fallback = install_error_handlers(Blueprint("api_fallback", __name__))


class CasedeskApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, documenting our error shape and leaving the app's non-API errors alone."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        # flask-smorest would answer every HTTP error of the whole app in JSON; ours sit on the API blueprints.
        pass


@fallback.route("/", defaults={"rest": ""}, methods=METHODS)
@fallback.route("/<path:rest>", methods=METHODS)
def unknown(rest: str) -> Any:
    """Unknown API paths and methods answer in the API's error shape, not the app's HTML error page."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = [m for m in METHODS if adapter.match(request.path, method=m)[0] != request.endpoint]
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed, description=f"{request.method} is not allowed here")
    raise NotFound(_("no API resource at %(path)s", path=request.path))


def init_api(app: Flask, casedesk: Casedesk) -> Api:
    """Mount the API on `app` (bearer auth on every call but token issuing; CSRF exempt)."""
    app.config.setdefault("API_TITLE", "casedesk")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "security": [{"bearerAuth": []}],
        "info": {"description": "casedesk's JSON API. POST /auth/tokens for a bearer token; every other call "
                                "sends `Authorization: Bearer TOKEN`. Every error has the shape of `Error`."},
    })
    app.extensions["casedesk_api"] = ApiServices.build(casedesk)
    init_request_reading(app)
    api = CasedeskApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blueprint, mount in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=PREFIX + mount)
    app.register_blueprint(fallback, url_prefix=PREFIX)
    csrf = app.extensions.get("csrf")
    if csrf is not None:  # Flask-WTF's CSRFProtect; browsers never send a bearer token on their own
        for blueprint, _ in BLUEPRINTS:
            csrf.exempt(blueprint)
        csrf.exempt(fallback)
    return api
