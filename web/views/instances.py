"""Instances: the list with filters, one instance's diagram, data and timeline, and cancelling."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.access import may_cancel, may_see_instance, may_work_task
from casework.archive_documents import CaseArchive, archive_of_instance
from engine.errors import Forbidden
from engine.runtime.readmodel import INSTANCE_STATUSES, InstanceDetail, InstanceQuery, event_payload
from engine.definitions.specinfo import diagram_files, element_names, waiting_elements

from ..auth import casedesk, current_actor
from ..case_labels import remember_case_labels
from ..casedata import case_page_data
from ..i18n import diagram_in_language
from ..documents import case_documents, download, readable_size
from ..security import stored_file
from .common import reads, runtime

bp = Blueprint("instances", __name__)


@bp.get("/instances")
@login_required
def index() -> ResponseReturnValue:
    args = request.args
    query = InstanceQuery(status=args.get("status") or None, process=args.get("process") or None,
                          case_number=args.get("case_number") or None, starter=args.get("starter") or None)
    rows = reads().instances(current_actor(), query)
    remember_case_labels(row.id for row in rows)
    return render_template("instances.html", rows=rows, query=query,
                           statuses=INSTANCE_STATUSES, processes=reads().processes())


# File sizes in the page's language ("12 KB", "3.4 MB", "15 字节") wherever a page lists documents.
bp.add_app_template_filter(readable_size, "document_size")

TIMELINE_PAGE = 50  # events shown on the instance page at a time


def visible_instance(instance_id: str) -> InstanceDetail:
    detail = reads().instance(instance_id)
    if not may_see_instance(current_actor(), detail.facts):
        raise Forbidden(_("You may not see this case."))
    return detail


@bp.get("/instances/<instance_id>")
@login_required
def show(instance_id: str) -> ResponseReturnValue:
    detail = visible_instance(instance_id)
    actor = current_actor()
    definition = casedesk().definitions.load(detail.definition_id)
    diagrams = diagram_files(definition, reads().definition_files(detail.definition_id))
    # The newest page of the history by default; `after` pages back through it (never the whole log).
    latest = max(detail.event_count - TIMELINE_PAGE, 0)
    after = min(max(request.args.get("after", type=int, default=latest), 0), latest)
    return render_template(
        "instance.html", detail=detail, instance=detail.row, diagrams=diagrams,
        data_rows=case_page_data(actor, definition.forms, detail.data),
        documents=case_documents(definition.forms, detail.data), case_archive=_case_archive(instance_id),
        timeline=[(e, event_payload(e)) for e in reads().history(instance_id, after, TIMELINE_PAGE)],
        earlier_after=max(after - TIMELINE_PAGE, 0) if after > 0 else None,
        later_after=after + TIMELINE_PAGE if after < latest else None,
        active=waiting_elements(definition, detail.active_elements), element_names=element_names(definition),
        workable={t.id for t in detail.ready if may_work_task(actor, t)},
        may_cancel=detail.row.status in ("running", "failed") and may_cancel(actor, detail.facts),
        failures=[i.error for i in casedesk().incidents.list(instance_id=instance_id) if i.kind == "error"]
        if detail.row.status == "failed" else [],
    )


@bp.get("/instances/<instance_id>/diagram/<path:filename>")
@login_required
def diagram(instance_id: str, filename: str) -> ResponseReturnValue:
    """The BPMN file of the instance's pinned version, for the viewer."""
    detail = visible_instance(instance_id)
    files = reads().definition_files(detail.definition_id)
    if filename not in files or not filename.endswith(".bpmn"):
        abort(404)
    return stored_file(diagram_in_language(files[filename], filename), filename, "application/xml")


@bp.get("/instances/<instance_id>/documents/<sha256>")
@login_required
def document(instance_id: str, sha256: str) -> ResponseReturnValue:
    """A file the case holds, for those who may see the case — until the case is archived: from then on
    only the archive guard serves it, under an approved borrowing, and records the reading (R-6.4)."""
    detail = visible_instance(instance_id)
    attached = next((d for d in case_documents({}, detail.data) if d.sha256 == sha256), None)
    if attached is None:  # other content is not this case's to hand out, whether or not it is stored
        raise Forbidden(_("This case holds no such document."))
    archive = _case_archive(instance_id)
    if archive is not None and archive.guarded:
        raise Forbidden(_("The case is archived as %(number)s: read its documents through an approved borrowing "
                          "of the archive (R-6.4).", number=archive.number))
    return download(casedesk().documents.get(sha256), attached.name)


def _case_archive(instance_id: str) -> CaseArchive | None:
    with casedesk().db.transaction() as conn:
        return archive_of_instance(conn, instance_id)


@bp.post("/instances/<instance_id>/cancel")
@login_required
def cancel(instance_id: str) -> ResponseReturnValue:
    detail = visible_instance(instance_id)
    if not may_cancel(current_actor(), detail.facts):
        raise Forbidden(_("Only an administrator or the starter may cancel a case."))
    runtime().cancel_instance(instance_id, actor=current_actor().username,
                              reason=(request.form.get("reason") or "").strip())
    flash(_("The case was cancelled."))
    return redirect(url_for("instances.show", instance_id=instance_id))
