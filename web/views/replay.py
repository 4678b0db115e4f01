"""Auditors: replay an instance and step through its history on the diagram; per-process activity heatmaps."""
from __future__ import annotations

from typing import cast

from flask import Blueprint, Flask, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from engine.access import may_audit
from engine.history.heatmap import HeatmapService
from engine.definitions.specinfo import diagram_files, element_names
from engine.runtime.readmodel import event_payload

from ..auth import casedesk, require
from ..i18n import diagram_in_language
from ..nav import add_nav
from .common import reads

bp = Blueprint("replay", __name__)
DENIED = "replay, time travel and heatmaps are for auditors and administrators"


@bp.record_once
def _navigation(state: BlueprintSetupState) -> None:
    add_nav(cast(Flask, state.app), "replay.heatmaps", lambda: _("Heatmaps"), may_audit)


@bp.get("/audit/<instance_id>/replay")
@require(may_audit, DENIED)
def history(instance_id: str) -> ResponseReturnValue:
    """The replay report, and the history to step through: diagram, data and who/when at each event."""
    detail = reads().instance(instance_id)
    report = casedesk().history.replay(instance_id)
    definition = casedesk().definitions.load(detail.definition_id)
    diagrams = diagram_files(definition, reads().definition_files(detail.definition_id))
    events = [(e, event_payload(e)) for e in reads().history(instance_id)]
    start = request.args.get("at", type=int) or len(events)
    return render_template("replay.html", detail=detail, instance=detail.row, report=report, events=events,
                           diagrams=diagrams, start=min(max(start, 1), max(len(events), 1)))


@bp.get("/audit/<instance_id>/state/<int:seq>.json")
@require(may_audit, DENIED)
def state(instance_id: str, seq: int) -> ResponseReturnValue:
    """The replayed state at event `seq` (the page's step controls fetch it)."""
    return jsonify(casedesk().history.state_at(instance_id, seq).as_dict())


@bp.get("/audit/heatmap")
@require(may_audit, DENIED)
def heatmaps() -> ResponseReturnValue:
    return render_template("heatmap_index.html", processes=reads().processes())


@bp.get("/audit/heatmap/<key>")
@require(may_audit, DENIED)
def heatmap(key: str) -> ResponseReturnValue:
    """How many instances passed each element and each sequence flow (all versions, or `?version=N`)."""
    version = request.args.get("version", type=int)
    activity = HeatmapService(casedesk().db).activity(key, version)
    ids = reads().latest_definition_ids()
    if key not in ids:
        raise NotFound(_("no process '%(key)s'", key=key))
    definition_id = _definition_id(key, version) or ids[key]
    files = reads().definition_files(definition_id)
    definition = casedesk().definitions.load(definition_id)
    diagrams = [(name, title, diagram_in_language(files[name], name).decode("utf-8"))
                for name, title in diagram_files(definition, files)]
    return render_template("heatmap.html", key=key, version=version, activity=activity, diagrams=diagrams,
                           counts=activity.as_dict(), names=element_names(definition))


def _definition_id(key: str, version: int | None) -> int | None:
    """The id of one version of `key` (the diagram drawn under a version's heatmap)."""
    if version is None:
        return None
    for definition in casedesk().definitions.list_definitions():
        if definition.key == key and definition.version == version:
            return int(definition.id)
    raise NotFound(_("no process '%(key)s' version %(version)s", key=key, version=version))
