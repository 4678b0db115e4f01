"""Reassign, release, delegate in the browser: the team page of a group's head, and the holder's delegation."""
from __future__ import annotations

from typing import cast

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from casework.leave_waiting import stalled_requests
from engine.access import Actor, is_admin
from engine.errors import InvalidInput
from engine.runtime.handover import HEAD_SUFFIX

from ..auth import casedesk, current_actor, require
from ..case_labels import remember_case_labels
from ..nav import add_nav
from .common import back_or, now

bp = Blueprint("handover", __name__)


def headed_groups(actor: Actor) -> set[str]:
    """The groups whose head the actor is (`sales` for a member of `sales_head`)."""
    return {group[: -len(HEAD_SUFFIX)] for group in actor.groups if group.endswith(HEAD_SUFFIX)}


def may_see_team(actor: Actor) -> bool:
    return is_admin(actor) or bool(headed_groups(actor))


@bp.record_once
def _navigation(state: BlueprintSetupState) -> None:
    add_nav(cast(Flask, state.app), "handover.team", lambda: _("Team tasks"), may_see_team)


@bp.get("/team")
@require(may_see_team, _l("The team page is for the heads of groups and administrators."))
def team() -> ResponseReturnValue:
    actor = current_actor()
    handover = casedesk().handover
    groups = None if is_admin(actor) else headed_groups(actor)
    tasks = handover.team_tasks(groups)
    members = {group: handover.members(group) for group in {t.candidate_group for t in tasks if t.candidate_group}}
    with casedesk().db.unit_of_work(write=False) as session:  # leave requests nobody at work can approve
        stalled = stalled_requests(session, now(), groups)
    remember_case_labels(t.instance_id for t in tasks)  # one read for the case numbers of the whole list
    named = handover.named_by_process(tasks)  # theirs by the process's routing: offered to nobody else
    return render_template("team.html", tasks=tasks, members=members, stalled=stalled, named=named)


@bp.post("/tasks/<task_id>/reassign")
@login_required
def reassign(task_id: str) -> ResponseReturnValue:
    to = _target()
    casedesk().handover.reassign(task_id, to, actor=current_actor().username)
    flash(_("The task is now %(who)s's.", who=to))
    return redirect(back_or("handover.team"))


@bp.post("/tasks/<task_id>/release")
@login_required
def release(task_id: str) -> ResponseReturnValue:
    casedesk().handover.release(task_id, actor=current_actor().username)
    flash(_("The claim is released; the task is back with its group."))
    return redirect(back_or("handover.team"))


@bp.post("/tasks/<task_id>/delegate")
@login_required
def delegate(task_id: str) -> ResponseReturnValue:
    to = _target()
    casedesk().handover.delegate(task_id, to, actor=current_actor().username)
    flash(_("Delegated to %(who)s.", who=to))
    return redirect(url_for("inbox.index"))


def _target() -> str:
    to = request.form.get("to", "").strip()
    if not to:
        raise InvalidInput(_("Choose who takes the task over."), {"to": [_("Choose a person.")]})
    return to
