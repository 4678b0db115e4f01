"""Administrators watch the machinery: incidents (inspect, retry), scheduled jobs, and the local outbox."""
from __future__ import annotations

import json
from typing import cast

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from sqlalchemy import select

from casework import outbox
from engine.access import is_admin
from engine.errors import Conflict, NotFound
from engine.jobs.runner import JobView
from engine.models import InstanceEvent

from ..auth import casedesk, current_actor, require
from ..nav import add_nav
from .common import reads

bp = Blueprint("admin_ops", __name__)
DENIED = _l("This page is for administrators.")


def _admin_label() -> str:
    """"Administration", with the number of open incidents when there are any (administrators are told)."""
    open_incidents = len(casedesk().incidents.list(status="open"))
    label = _("Administration")
    return f"{label} ({open_incidents})" if open_incidents else label


@bp.record_once
def _navigation(state: BlueprintSetupState) -> None:
    add_nav(cast(Flask, state.app), "admin_users.index", _admin_label, is_admin)


@bp.get("/admin/incidents")
@require(is_admin, DENIED)
def incidents() -> ResponseReturnValue:
    show_all = request.args.get("all") == "1"
    rows = casedesk().incidents.list(status=None if show_all else "open")
    case_refs = {row.instance_id: reads().instance(row.instance_id).row.business_key for row in rows}
    return render_template("admin/incidents.html", incidents=list(reversed(rows)), show_all=show_all,
                           case_refs=case_refs)


@bp.post("/admin/incidents/<int:incident_id>/retry")
@require(is_admin, DENIED)
def retry(incident_id: int) -> ResponseReturnValue:
    try:
        incident = casedesk().incidents.retry(incident_id, actor=current_actor().username)
    except (NotFound, Conflict):  # retried by another administrator meanwhile, or a stale page
        flash(_("This incident is no longer open."))
        return redirect(url_for("admin_ops.incidents"))
    if incident.status == "open":
        flash(_("The retry failed again: %(error)s", error=incident.error))
    else:
        flash(_("Retried: the case went on."))
    return redirect(url_for("admin_ops.incidents"))


@bp.get("/admin/jobs")
@require(is_admin, DENIED)
def jobs() -> ResponseReturnValue:
    jobs = casedesk().jobs.list_jobs(limit=500)
    return render_template("admin/jobs.html", jobs=jobs, service_errors=_service_errors(jobs))


def _service_errors(jobs: list[JobView]) -> dict[int, str]:
    """Why each waiting retry waits: the last recorded failure of its service task (one indexed read each)."""
    errors: dict[int, str] = {}
    with casedesk().db.unit_of_work(write=False) as session:
        for job in jobs:
            if job.kind != "retry" or job.instance_id is None:
                continue
            payload = session.scalar(
                select(InstanceEvent.payload).where(InstanceEvent.instance_id == job.instance_id,
                                                    InstanceEvent.type == "service_failed",
                                                    InstanceEvent.task_spec == job.element)
                .order_by(InstanceEvent.seq.desc()).limit(1))
            if payload is not None:
                errors[job.id] = str(json.loads(payload).get("error", ""))
    return errors


@bp.get("/admin/outbox")
@require(is_admin, DENIED)
def outbox_messages() -> ResponseReturnValue:
    channel = request.args.get("channel") or None
    if channel not in (None, "email", "sms"):
        channel = None
    with casedesk().db.unit_of_work(write=False) as session:
        messages = outbox.recent(session, limit=500, channel=channel)
        session.expunge_all()
    transport = casedesk().settings.notify_transport
    return render_template("admin/outbox.html", messages=messages, channel=channel, transport=transport)
