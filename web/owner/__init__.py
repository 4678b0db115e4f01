"""Process-owner pages (definitions, deploy, modeler, diff) and the bpmn-js assets they and others use."""
from __future__ import annotations

from flask import Flask

from .assets import vendor


def init_owner(app: Flask) -> None:
    app.register_blueprint(vendor)
