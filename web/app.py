"""Flask app factory. The staff inbox and other pages arrive with their own issue; today: health."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask, jsonify
from sqlalchemy import func, select, text

from engine.bootstrap import Casedesk, bootstrap
from engine.config import Settings
from engine.models import ProcessDefinition, ProcessInstance
from web.api import init_api
from web.owner import init_owner


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    settings = Settings.from_env()
    app.config.update(SECRET_KEY=settings.secret_key or None, CASEDESK_SETTINGS=settings)
    if test_config:
        app.config.update(test_config)
    casedesk: Casedesk = app.config.get("CASEDESK") or bootstrap(app.config["CASEDESK_SETTINGS"], run_migrations=False)
    app.extensions["casedesk"] = casedesk

    @app.get("/healthz")
    def healthz() -> Any:
        """Liveness and readiness for load balancers: the database answers and holds definitions."""
        try:
            with casedesk.db.unit_of_work(write=False) as session:
                session.execute(text("select 1"))
                definitions = session.scalar(select(func.count(ProcessDefinition.id))) or 0
                running = session.scalar(
                    select(func.count(ProcessInstance.id)).where(ProcessInstance.status == "running")) or 0
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
            return jsonify(status="error", database=str(exc).splitlines()[0]), 503
        return jsonify(status="ok", database=casedesk.db.engine.dialect.name,
                       definitions=definitions, running_instances=running)

    init_api(app, casedesk)
    init_owner(app)
    return app
