"""Flask app factory: wires sessions, sign-in, CSRF, languages, error pages and every blueprint."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask, jsonify, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import func, select, text

from engine.bootstrap import Casedesk, bootstrap
from engine.config import Settings
from engine.models import ProcessDefinition, ProcessInstance
from web.api import init_api
from web.owner import init_owner

from . import auth, case_labels, errors, i18n, inputguard, nav, security
from .secret_key import shared_secret_key
from .views import register_views


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    settings = Settings.from_env()
    app.config.update(
        SECRET_KEY=None,  # set below unless the test config brings its own
        CASEDESK_SETTINGS=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        # One key for every worker and node on this machine, or sign-ins bounce between workers.
        app.config["SECRET_KEY"] = _configured_key(app.config["CASEDESK_SETTINGS"])
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese text stays readable in JSON
    casedesk: Casedesk = app.config.get("CASEDESK") or bootstrap(app.config["CASEDESK_SETTINGS"], run_migrations=False)
    app.extensions["casedesk"] = casedesk
    security.init_app(app)
    inputguard.init_app(app)
    CSRFProtect(app)  # every form post; the JSON API exempts its own blueprint (bearer tokens)
    i18n.init_app(app)
    case_labels.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    nav.init_app(app)
    register_views(app)

    @app.get("/")
    def home() -> ResponseReturnValue:
        return redirect(url_for("inbox.index"))

    @app.get("/healthz")
    def healthz() -> Any:
        """Liveness and readiness for load balancers: the database answers and holds definitions;
        versions in use that do not load are listed (status `degraded`)."""
        try:
            with casedesk.db.unit_of_work(write=False) as session:
                session.execute(text("select 1"))
                definitions = session.scalar(select(func.count(ProcessDefinition.id))) or 0
                running = session.scalar(
                    select(func.count(ProcessInstance.id)).where(ProcessInstance.status == "running")) or 0
            broken = casedesk.lifecycle.broken()
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
            return jsonify(status="error", database=str(exc).splitlines()[0]), 503
        # A version that does not load is isolated: the rest serves, so the node stays in rotation.
        return jsonify(status="degraded" if broken else "ok", database=casedesk.db.engine.dialect.name,
                       definitions=definitions, running_instances=running,
                       broken_definitions=[{"key": b.key, "version": b.version, "error": b.error} for b in broken])

    init_api(app, casedesk)
    init_owner(app)
    return app


def _configured_key(settings: Settings) -> str:
    return settings.secret_key or shared_secret_key(settings.secret_key_file)
