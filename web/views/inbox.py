"""Staff inbox: my tasks and my groups' tasks, with due marks, filters and sorting; claim and unclaim."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.access import may_work_task
from engine.errors import Forbidden
from engine.runtime.absence import OnLeave
from engine.runtime.readmodel import BUSINESS_TYPE_PREFIXES, DUE_FILTERS, INBOX_SCOPES, INBOX_SORTS, InboxQuery

from ..auth import casedesk, current_actor
from ..case_labels import remember_case_labels
from ..i18n import bundle_text
from .common import back_or, now, reads, runtime
from .handover import headed_groups
from .leave import claim_refused
from .tasks import refused_claim_page

bp = Blueprint("inbox", __name__)


@bp.get("/inbox")
@login_required
def index() -> ResponseReturnValue:
    args = request.args
    query = InboxQuery(
        scope=args.get("scope") or "all", process=args.get("process") or None,
        business_type=args.get("business_type") or None, due=args.get("due") or None,
        sort=args.get("sort") or "due",
    )
    actor = current_actor()
    handover = casedesk().handover
    # away, the reader is offered only what is named theirs (the read model decides) and told so;
    # a head sees the groups they lead whose members are all away; a cover, whom they cover for.
    found = reads().inbox(actor, query, now())
    unattended = handover.unattended(headed_groups(actor))
    covering = handover.covering(actor.username) if actor.staff_groups else []
    remember_case_labels(row.task.instance_id for row in found.rows)
    return render_template(
        "inbox.html", rows=found.rows, query=query, processes=reads().processes(), scopes=INBOX_SCOPES,
        business_types=list(BUSINESS_TYPE_PREFIXES), due_filters=DUE_FILTERS, sorts=INBOX_SORTS,
        absence=found.absence, unattended=unattended, covering=covering,
    )


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str) -> ResponseReturnValue:
    _require_work(task_id)
    try:
        task = runtime().claim_task(task_id, actor=current_actor().username)
    except OnLeave as away:  # the runtime's refusal, said in the reader's language on the task page
        return refused_claim_page(task_id, claim_refused(away.absence)), 409
    flash(_("You claimed “%(title)s”.", title=bundle_text(task.title)))
    return redirect(back_or("inbox.index"))


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str) -> ResponseReturnValue:
    _require_work(task_id)
    task = runtime().unclaim_task(task_id, actor=current_actor().username)
    flash(_("You released “%(title)s” to its group.", title=bundle_text(task.title)))
    return redirect(back_or("inbox.index"))


def _require_work(task_id: str) -> None:
    """The policy first (auditors change nothing); the runtime checks again under the instance lock."""
    if not may_work_task(current_actor(), reads().task(task_id)):
        raise Forbidden(_("You may not work this task."))
