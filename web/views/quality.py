"""Quality assessment pages (R-4.3): indicators per department and person for a period, and the appraisal CSV."""
from __future__ import annotations

import csv
import io
from typing import cast

from flask import Blueprint, Flask, Response, render_template, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casework.quality_indicators import (CSV_COLUMNS, Period, QualityIndicatorService, appraisal_rows,
                                         may_see_quality)
from engine.access import Actor

from ..auth import casedesk, require
from ..nav import add_nav
from .common import now

bp = Blueprint("quality", __name__)
DENIED = _l("Quality indicators are for the quality owner, the leaders and administrators.")


def _reader(actor: Actor) -> bool:
    return may_see_quality(actor.groups)


@bp.record_once
def _navigation(state: BlueprintSetupState) -> None:
    add_nav(cast(Flask, state.app), "quality.index", lambda: _("Quality"), _reader)


def _period() -> Period:
    zone = casedesk().settings.timezone
    text = request.args.get("period", "").strip()
    return Period.parse(text, zone) if text else Period.month_of(now(), zone)


@bp.get("/quality")
@require(_reader, DENIED)
def index() -> ResponseReturnValue:
    period = _period()
    indicators = QualityIndicatorService(casedesk().db).indicators(period)
    return render_template("quality/index.html", indicators=indicators, period=period)


@bp.get("/quality/appraisal.csv")
@require(_reader, DENIED)
def appraisal_csv() -> ResponseReturnValue:
    period = _period()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(appraisal_rows(QualityIndicatorService(casedesk().db).indicators(period)))
    # A BOM so spreadsheet programs read the text as UTF-8.
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="quality-appraisal-{period.label}.csv"'})
