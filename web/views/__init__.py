"""The page blueprints, registered in one explicit list."""
from __future__ import annotations

from flask import Flask

from engine.runtime.readmodel import ReadModel

from . import admin_ops, admin_users, archive, audit, handover, inbox, instances, replay, start, tasks, tracker
from . import quality
from . import risk
from . import account
from . import leave
from . import training

BLUEPRINTS = [inbox.bp, tasks.bp, start.bp, instances.bp, tracker.bp, audit.bp, replay.bp, handover.bp,
              admin_users.bp, admin_ops.bp, archive.bp, quality.bp, risk.bp,
              account.bp, leave.bp, training.bp]


def register_views(app: Flask) -> None:
    desk = app.extensions["casedesk"]
    app.extensions["casedesk_reads"] = ReadModel(desk.db, desk.runtime.absences)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
