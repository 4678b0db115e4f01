"""The start page: the processes this user may start, newest version of each."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.access import Actor, may_see_load_errors, may_start, may_work_task
from engine.errors import DefinitionUnloadable, Forbidden, NotFound
from engine.definitions.specinfo import starts_by_hand
from engine.runtime.service import start_groups

from ..auth import casedesk, current_actor
from ..case_labels import case_label
from ..i18n import process_label
from .common import reads, runtime

bp = Blueprint("start", __name__)


@dataclass(frozen=True)
class Startable:
    key: str
    name: str
    version: int
    documentation: str
    groups: list[str]


@dataclass(frozen=True)
class Unloadable:
    key: str
    version: int
    error: str


def startable(actor: Actor) -> list[Startable]:
    return startable_and_broken(actor)[0]


def startable_and_broken(actor: Actor) -> tuple[list[Startable], list[Unloadable]]:
    """What `actor` may start, and the processes whose startable version does not load (one such
    process never hides the others)."""
    found, broken = [], []
    for key, definition_id in reads().startable_definition_ids().items():
        try:
            definition = casedesk().definitions.load(definition_id)
        except DefinitionUnloadable as exc:
            broken.append(Unloadable(key, exc.version, exc.reason))
            continue
        groups = start_groups(definition.spec)
        if may_start(actor, groups) and starts_by_hand(definition.spec):  # timers, messages, signals start the others
            found.append(Startable(key, getattr(definition.spec, "description", None) or key, definition.version,
                                   (getattr(definition.spec, "documentation", None) or "").strip(), sorted(groups)))
    return sorted(found, key=lambda s: s.name), broken


@bp.get("/start")
@login_required
def index() -> ResponseReturnValue:
    actor = current_actor()
    processes, broken = startable_and_broken(actor)
    return render_template("start.html", processes=processes, broken=broken if may_see_load_errors(actor) else [])


@bp.post("/start/<key>")
@login_required
def start(key: str) -> ResponseReturnValue:
    actor = current_actor()
    definition_id = reads().startable_definition_ids().get(key)
    if definition_id is None:
        raise NotFound(_("No process %(key)s is deployed.", key=key))
    casedesk().definitions.load(definition_id)  # a version that does not load says so (409)
    if key not in {s.key for s in startable(actor)}:
        raise Forbidden(_("You may not start this process."))
    # A short title names the case in lists until it has a case number; processes may use it.
    title = (request.form.get("title") or "").strip()[:200]
    view = runtime().start_instance(key, {"title": title}, actor=actor.username)
    flash(_("Started “%(process)s” as case %(reference)s.", process=process_label(key), reference=case_label(view.id)))
    for task in view.ready_tasks:  # the starter usually fills the first form at once
        if may_work_task(actor, task):
            return redirect(url_for("tasks.show", task_id=task.id))
    return redirect(url_for("instances.show", instance_id=view.id))
