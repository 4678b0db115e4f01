"""Auditors: every instance's full history, its chain check, and exports as JSON and CSV (read-only)."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from engine.access import may_audit
from engine.clock import isoformat
from engine.models import InstanceEvent
from engine.runtime.readmodel import INSTANCE_STATUSES, InstanceQuery
from engine.definitions.specinfo import element_names

from ..auth import casedesk, current_actor, require
from ..case_labels import remember_case_labels
from .common import reads

bp = Blueprint("audit", __name__)
CSV_COLUMNS = ["seq", "at", "actor", "category", "type", "task_id", "task_spec", "payload", "prev_hash", "hash"]
DENIED = _l("The audit history is for auditors and administrators.")


@bp.get("/audit")
@require(may_audit, DENIED)
def index() -> ResponseReturnValue:
    args = request.args
    query = InstanceQuery(status=args.get("status") or None, process=args.get("process") or None,
                          case_number=args.get("case_number") or None, starter=args.get("starter") or None)
    rows = reads().instances(current_actor(), query)
    remember_case_labels(row.id for row in rows)
    return render_template("audit_index.html", rows=rows, query=query,
                           statuses=INSTANCE_STATUSES, processes=reads().processes())


@bp.get("/audit/<instance_id>")
@require(may_audit, DENIED)
def history(instance_id: str) -> ResponseReturnValue:
    detail = reads().instance(instance_id)
    report = casedesk().history.verify(instance_id)
    names = element_names(casedesk().definitions.load(detail.definition_id))
    after = max(request.args.get("after", type=int) or 0, 0)
    page = reads().history(instance_id, after, HISTORY_PAGE + 1)
    more = len(page) > HISTORY_PAGE
    page = page[:HISTORY_PAGE]
    return render_template("audit.html", detail=detail, instance=detail.row, report=report, element_names=names,
                           events=[(e, _payload(e)) for e in page], after=after,
                           next_after=page[-1].seq if more else None,
                           previous_after=max(after - HISTORY_PAGE, 0) if after else None)


@bp.get("/audit/<instance_id>/history.json")
@require(may_audit, DENIED)
def export_json(instance_id: str) -> ResponseReturnValue:
    detail = reads().instance(instance_id)
    row = detail.row
    body = {
        "instance": {"id": row.id, "process": row.process_key, "version": row.version, "status": row.status,
                     "business_key": row.business_key, "started_by": row.started_by,
                     "created_at": isoformat(row.created_at)},
        "events": [_event_dict(e) for e in reads().history(instance_id)],
    }
    return _download(json.dumps(body, ensure_ascii=False, indent=2), "application/json",
                     f"history-{instance_id}.json")


@bp.get("/audit/<instance_id>/history.csv")
@require(may_audit, DENIED)
def export_csv(instance_id: str) -> ResponseReturnValue:
    reads().instance(instance_id)  # 404 for an unknown instance
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for event in reads().history(instance_id):
        writer.writerow({**_event_dict(event), "payload": event.payload})
    # A BOM so spreadsheet programs read the Chinese text as UTF-8.
    return _download("\ufeff" + out.getvalue(), "text/csv; charset=utf-8", f"history-{instance_id}.csv")


HISTORY_PAGE = 200  # events per page of the audit history


def _payload(event: InstanceEvent) -> Any:
    return json.loads(event.payload)


def _event_dict(event: InstanceEvent) -> dict[str, Any]:
    return {"seq": event.seq, "at": isoformat(event.at), "actor": event.actor, "category": event.category,
            "type": event.type, "task_id": event.task_id, "task_spec": event.task_spec,
            "payload": _payload(event), "prev_hash": event.prev_hash, "hash": event.hash}


def _download(text: str, mimetype: str, filename: str) -> Response:
    return Response(text, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
