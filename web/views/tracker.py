"""Progress tracker (R-2.2.3): open cases by stage, overdue first, and the report page with charts."""
from __future__ import annotations

from datetime import timedelta
from itertools import groupby

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from engine.access import may_track
from casework.progress import ProgressService

from ..auth import casedesk, require
from ..case_labels import remember_case_labels
from ..charts import bar_chart, duration_unit
from ..i18n import bundle_text
from .common import now

bp = Blueprint("tracker", __name__)
# The tracker lists this many waiting tasks, the most urgent first; the counts cover all of them.
TRACKER_PAGE = 200
PERIODS = {"7": timedelta(days=7), "30": timedelta(days=30), "90": timedelta(days=90), "all": None}


def progress() -> ProgressService:
    app = casedesk()
    return ProgressService(app.db, app.definitions.load)


@bp.get("/tracker")
@require(may_track, _l("The progress tracker is for trackers, auditors and administrators."))
def index() -> ResponseReturnValue:
    service, moment = progress(), now()
    cases = service.open_cases(moment, limit=TRACKER_PAGE)
    workload = service.workload(moment)
    loads = {stage.key: stage for stage in workload.stages}
    remember_case_labels(case.instance_id for case in cases)
    by_stage = sorted(((key, list(rows)) for key, rows in groupby(sorted(cases, key=lambda c: c.stage_key),
                                                                   key=lambda c: c.stage_key)),
                      key=lambda item: (-loads[item[0]].overdue, item[0]))
    return render_template("tracker.html", cases=cases, by_stage=by_stage, workload=workload, loads=loads,
                           page=TRACKER_PAGE)


@bp.get("/tracker/report")
@require(may_track, _l("The progress report is for trackers, auditors and administrators."))
def report() -> ResponseReturnValue:
    period = request.args.get("period") or "30"
    span = PERIODS.get(period, PERIODS["30"])
    moment = now()
    figures = progress().report(moment, since=None if span is None else moment - span)
    stages = figures.stages
    # Each stage is a process, named in the page's language as the tracker page names it.
    timed = [(bundle_text(s.name), s.mean_duration.total_seconds()) for s in stages if s.mean_duration is not None]
    per_unit, unit = duration_unit(max((seconds for _, seconds in timed), default=0.0))
    return render_template(
        "report.html", report=figures, period=period, periods=list(PERIODS),
        per_stage=bar_chart([(bundle_text(s.name), float(s.open_cases)) for s in stages], unit=""),
        on_time=bar_chart([(bundle_text(s.name), 100 * s.on_time_rate) for s in stages if s.on_time_rate is not None],
                          unit="%", maximum=100.0),
        mean_time=bar_chart([(name, seconds / per_unit) for name, seconds in timed], unit=_short_unit(unit)),
        duration_unit=unit,
    )


def _short_unit(unit: str) -> str:
    """The unit after each bar's number, in the page's language (the heading names it in full)."""
    return {"min": pgettext("duration unit", "min"), "h": pgettext("duration unit", "h"),
            "d": pgettext("duration unit", "d")}.get(unit, unit)
