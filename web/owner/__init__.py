"""Process-owner pages (definitions, deploy, modeler, diff) and the bpmn-js assets they and others use."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext

from engine.access import may_see_definitions
from web.nav import add_nav

from .assets import vendor
from .decisions import bp as decisions_bp
from .views import bp
from .testruns import bp as testruns_bp
from .forms_editor import bp as forms_editor_bp
from .draft_runs import bp as draft_runs_bp


def init_owner(app: Flask) -> None:
    app.register_blueprint(vendor)
    app.register_blueprint(bp)
    app.register_blueprint(testruns_bp)
    app.register_blueprint(forms_editor_bp)
    app.register_blueprint(decisions_bp)
    app.register_blueprint(draft_runs_bp)
    add_nav(app, "owner.definitions", lambda: str(lazy_gettext("Processes")), may_see_definitions)
