"""The leave page (R-3.1): a person's leave requests and, for a head, who is away in the groups they lead."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casework.leave import read_leave_page
from casework.leave_waiting import stalled_requests
from engine.access import is_staff
from engine.runtime.absence import Absence

from ..auth import casedesk, current_actor, require
from ..nav import nav_entry
from .common import now
from .handover import headed_groups

bp = Blueprint("leave", __name__)
LABELS = {
    "annual": _l("Annual leave"), "sick": _l("Sick leave"), "personal": _l("Personal leave"),
    "marriage": _l("Marriage leave"), "maternity": _l("Maternity leave"), "bereavement": _l("Bereavement leave"),
    "requested": _l("Waiting for approval"), "rejected": _l("Not approved: amend or withdraw"),
    "approved": _l("Approved"), "withdrawn": _l("Withdrawn"),
    "cancelled": _l("Cancelled before it began"), "ended": _l("Ended early"),
}


nav_entry(bp, "leave.index", lambda: _("Leave"), is_staff)


@bp.get("/leave")
@require(is_staff, _l("The leave page is for staff."))
def index() -> ResponseReturnValue:
    actor = current_actor()
    with casedesk().db.unit_of_work(write=False) as session:
        page = read_leave_page(session, actor.username, headed_groups(actor), now())
        waiting = {e.leave_id for e in page.mine if e.status == "requested"}
        stalled = {r.leave_id: r for r in stalled_requests(session, now()) if r.leave_id in waiting} if waiting else {}
    return render_template("leave.html", page=page, labels=LABELS, stalled=stalled)


def claim_refused(absence: Absence) -> str:
    """Why someone away may not claim a task (R-3.1), in the reader's language."""
    return _("You are on leave until %(day)s and take no task while away. To work again, cancel or shorten your "
             "leave (task “Cancel or shorten the leave” in your inbox).", day=absence.last_day.isoformat())


def completion_refused(absence: Absence) -> str:
    """Why someone away may not complete a task of their group nobody holds (R-3.1), in the reader's language."""
    return _("You are on leave (%(kind)s) until %(day)s and take no task while away, so this task was not done; what "
             "you typed is kept below. To work again, cancel or shorten your leave (task “Cancel or shorten the "
             "leave” in your inbox).", kind=LABELS[absence.leave_type] if absence.leave_type in LABELS
             else absence.leave_type, day=absence.last_day.isoformat())


def away_from_group_task(absence: Absence) -> str:
    """What the page of a group task nobody holds tells someone away, before they type anything (R-3.1)."""
    return _("You are on leave until %(day)s: while away you cannot claim or complete this task. It stays with "
             "its group for a colleague at work.", day=absence.last_day.isoformat())
