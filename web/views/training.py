"""The training page (R-7): plans, sessions with their attendance, each person's training record and career plans,
as far as the reader may see them (staff their own, heads their department, training owners and leaders all)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casework.training_records import TrainingRecords, may_see_training
from engine.access import Actor

from ..auth import casedesk, current_actor, require
from ..nav import nav_entry

bp = Blueprint("training", __name__)
DENIED = _l("The training records are for staff, the training owners, leaders and auditors.")
LABELS = {
    "annual": _l("Annual plan"), "special": _l("Special plan"),
    "classroom": _l("Classroom"), "on_the_job": _l("On the job"), "online": _l("Online"),
    "external": _l("External course"),
    "submitted": _l("Awaiting approval"), "returned": _l("Returned for amendment"), "approved": _l("Approved"),
    "scheduled": _l("Scheduled"), "held": _l("Held"),
    "make_up": _l("Make-up session"), "excused": _l("Excused"), "warned": _l("Warned"),
    "opened": _l("Being written"), "drafted": _l("Awaiting the superior"), "active": _l("In force"),
    "closed": _l("Closed"),
}


def _reader(actor: Actor) -> bool:
    return may_see_training(actor.groups)


nav_entry(bp, "training.index", lambda: _("Training"), _reader)


@bp.get("/training")
@require(_reader, DENIED)
def index() -> ResponseReturnValue:
    actor = current_actor()
    records = TrainingRecords(casedesk().db)
    scope = records.scope(actor.username, actor.groups)
    return render_template("training/index.html", overview=records.overview(scope), everyone=scope.people is None,
                           labels=LABELS)
