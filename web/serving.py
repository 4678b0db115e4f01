"""The web app as gunicorn serves it: one per worker process, its start-up objects out of the collector's way."""
from __future__ import annotations

from flask import Flask

from engine.bootstrap import settle_start_up
from web.app import create_app


def served_app() -> Flask:
    app = create_app()
    settle_start_up()
    return app
