"""The risk register page (R-5): risks with their assessment and response, indicators, open warnings."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casework.risk_overview import change_threshold, may_read_risk_register, may_set_thresholds, read_overview
from engine.access import Actor

from ..auth import casedesk, current_actor, require
from ..nav import nav_entry
from .common import now

bp = Blueprint("risk", __name__)
LABELS = {
    "market": _l("Market risk"), "credit": _l("Credit risk"), "operational": _l("Operational risk"),
    "low": _l("Low"), "medium": _l("Medium"), "high": _l("High"),
    "minor": _l("Minor"), "moderate": _l("Moderate"), "severe": _l("Severe"),
    "avoid": _l("Avoid"), "reduce": _l("Reduce"), "transfer": _l("Transfer"), "accept": _l("Accept"),
    "identified": _l("Identified"), "assessed": _l("Assessed"), "planned": _l("Awaiting approval"),
    "returned": _l("Returned for revision"), "approved": _l("Approved"),
    "computed": _l("Computed"), "entered": _l("Entered"), "normal": _l("Normal"), "warning": _l("Warning"),
    "overdue_rate": _l("Share of open cases overdue"), "dissatisfaction_rate": _l("Share of feedback dissatisfied"),
    "open_rectifications": _l("Cases in rectification"), "overdue_receivables": _l("Share of receivables overdue"),
    "market_price_change": _l("Change of the main purchase prices"),
    "raised": _l("Raised"), "alerted": _l("Alerted"), "measures_taken": _l("Measures taken, to verify"),
}


def _is_reader(actor: Actor) -> bool:
    return may_read_risk_register(actor.groups)


def _sets_thresholds(actor: Actor) -> bool:
    return may_set_thresholds(actor.groups)


nav_entry(bp, "risk.register", lambda: _("Risk register"), _is_reader)


@bp.get("/risk")
@require(_is_reader, _l("The risk register is for the risk owner, leaders and administrators."))
def register() -> ResponseReturnValue:
    overview = read_overview(casedesk().db)
    return render_template("risk/register.html", overview=overview, labels=LABELS,
                           may_set=_sets_thresholds(current_actor()))


@bp.post("/risk/indicators/<code>/threshold")
@require(_sets_thresholds, _l("Thresholds are set by the risk owner and administrators."))
def set_threshold(code: str) -> ResponseReturnValue:
    threshold = change_threshold(casedesk().db, now(), code, request.form.get("threshold", ""),
                                 current_actor().username)
    flash(_("The threshold of %(indicator)s is now %(value)s.", indicator=LABELS.get(code, code), value=f"{threshold:g}"))
    return redirect(url_for("risk.register"))
