"""The leave page (R-3.1): a person's leave requests and, for a head, who is away in the groups they lead."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casework.leave import read_leave_page
from engine.access import is_staff

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
    return render_template("leave.html", page=page, labels=LABELS)
