"""The task page: instructions (the element's documentation and its instructionsForEndUser) and the form."""
from __future__ import annotations

from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.access import is_admin, is_auditor, may_see_instance, may_see_task, may_work_task
from engine.documents.service import DocumentRefused, checked
from engine.errors import Conflict, Forbidden, HandlerRefused, InvalidInput
from engine.runtime.absence import OnLeave
from engine.runtime.store import TaskView
from engine.definitions.specinfo import element_info
from engine.runtime.instructions import shown_instructions
from forms import documents as convention
from forms.fields import build_fields, parse_submission, translated_title

from ..auth import casedesk, current_actor
from ..casedata import full_case_data, task_case_data
from ..choices import choices_for, refused_choices
from ..documents import posted_uploads, refusal_message, refusal_status
from ..formmessages import friendly_errors, refusal_reason
from ..i18n import bundle_text, language_tag, select_timezone
from .common import now, reads, runtime
from .leave import away_from_group_task, completion_refused

bp = Blueprint("tasks", __name__)


@bp.get("/tasks/<task_id>")
@login_required
def show(task_id: str) -> ResponseReturnValue:
    try:
        task = _visible_task(task_id)
    except Conflict:
        return _finished(task_id, 200)
    notice = _away_notice(task)
    return _render(task, values=None, errors={}, notice=notice, away=notice is not None)


def _away_notice(task: TaskView) -> str | None:
    """Said before anything is typed: someone away completes no task of their group that nobody holds (R-3.1)."""
    actor = current_actor()
    if task.assignee is not None or not may_work_task(actor, task):
        return None
    absence = casedesk().handover.absence(actor.username)
    return None if absence is None else away_from_group_task(absence)


@bp.post("/tasks/<task_id>")
@login_required
def complete(task_id: str) -> ResponseReturnValue:
    try:
        task = _visible_task(task_id)
    except Conflict:
        return _finished(task_id, 409)
    if not may_work_task(current_actor(), task):
        raise Forbidden(_("You may not work this task."))
    schema, _ui = _form_of(task)
    data, problems = parse_submission(schema, request.form, _zone())
    # Choices drawn from data are checked against what this user was offered, before anything is stored.
    problems = {**refused_choices(schema, data, choices_for(schema, current_actor())), **problems}
    uploads, upload_problems = posted_uploads(schema)
    if upload_problems:
        return _render(task, data, {**problems, **upload_problems}), 422
    # A refused file refuses the post before anything is stored: the page comes back with what was typed.
    for upload in uploads:
        try:
            checked(upload)
        except DocumentRefused as refused:
            return _render(task, data, {**problems, upload.field: [refusal_message(refused, upload.filename)]},
                           raw_errors={upload.field}), refusal_status(refused)
    if convention.document_fields(schema):
        # Accepted files are kept even when another field is wrong: the page offers them again, attached.
        stored = casedesk().documents.store(uploads, current_actor().username) if uploads else []
        data, refused_refs = casedesk().documents.resolve(schema, _with_uploads(schema, data, stored, uploads),
                                                          current_actor().username, _case_hashes(task))
        problems = {**refused_refs, **problems}
    if problems:
        return _render(task, data, problems), 422
    try:
        view = runtime().complete_task(task_id, data, actor=current_actor().username)
    except OnLeave as away:
        # completing a task nobody holds takes it, and someone away takes none; nothing was saved.
        return _render(task, data, {}, notice=completion_refused(away.absence), away=True), 409
    except InvalidInput as refused:
        # The form's own checks, or a step after it that refused what was typed (R-3.1: no such colleague to
        # cover): nothing was saved, and the page comes back with what was typed and the messages on their fields.
        return _render(task, data, refused.field_errors,
                       refusal=refused if isinstance(refused, HandlerRefused) else None), 422
    except Conflict:
        if reads().finished_task(task_id) is None:
            raise  # claimed by someone else, or the case stopped: the error page says so
        return _finished(task_id, 409)  # completed by someone else in the meantime
    flash(_("Done: “%(title)s”.", title=bundle_text(task.title)))
    for name in view.waiting_services:
        # The submission is committed; what failed after it waits for a retry, then an administrator.
        flash(_("Your input is saved. The next automatic step, “%(step)s”, could not be done yet: it is tried "
                "again automatically, and administrators see it on their incidents page.", step=bundle_text(name)))
    # Straight on to the next step when it is this user's to work (e.g. the same clerk's next form).
    for ready in view.ready_tasks:
        if may_work_task(current_actor(), ready):
            return redirect(url_for("tasks.show", task_id=ready.id))
    return redirect(url_for("inbox.index"))


def refused_claim_page(task_id: str, notice: str) -> str:
    """The task page again, saying why someone away may not claim it (R-3.1), without a Claim button: not the
    error page, whose 409 tells of someone faster."""
    return _render(_visible_task(task_id), values=None, errors={}, notice=notice, away=True)


def _with_uploads(schema: dict[str, Any], data: dict[str, Any], references: list[dict[str, Any]],
                  uploads: list[Any]) -> dict[str, Any]:
    """The form's data with each stored upload's reference in its field (after the files kept from before)."""
    fields = convention.document_fields(schema)
    data = dict(data)
    for upload, reference in zip(uploads, references):
        if convention.is_list_field(fields[upload.field]):
            kept = data.get(upload.field) or []
            data[upload.field] = kept + [reference] if reference["sha256"] not in {r["sha256"] for r in kept} else kept
        else:
            data[upload.field] = reference
    return data


def _case_hashes(task: TaskView) -> set[str]:
    """The files the case already holds: anyone working it may send their references on."""
    return {ref["sha256"] for _name, ref in convention.references_in(reads().instance(task.instance_id).data)}


def _finished(task_id: str, status: int) -> ResponseReturnValue:
    """A stale link: who completed the task and when (or that it was withdrawn), and the way to its case."""
    finished = reads().finished_task(task_id)
    if finished is None:
        raise Conflict(_("This task is no longer open."))
    actor = current_actor()
    may_see_case = may_see_instance(actor, reads().instance(finished.instance_id).facts)
    if not (may_see_case or finished.candidate_group in actor.staff_groups or finished.by == actor.username
            or is_admin(actor) or is_auditor(actor)):
        raise Forbidden(_("This task belongs to another group."))
    return render_template("task_finished.html", finished=finished, may_see_case=may_see_case), status


def _visible_task(task_id: str) -> TaskView:
    """Those who may work the task, and (read-only) everybody who may see its case."""
    task = reads().task(task_id)
    actor = current_actor()
    if not may_see_task(actor, task) and not may_see_instance(actor, reads().instance(task.instance_id).facts):
        if task.assignee is not None and may_work_task(actor, replace(task, assignee=None)):
            # A colleague's claimed task: who holds it, not what it holds (R-3.1 confidentiality).
            raise Forbidden(_("%(user)s has claimed this task.", user=task.assignee))
        raise Forbidden(_("This task belongs to another group."))
    return task


def _form_of(task: TaskView) -> tuple[dict[str, Any], dict[str, Any]]:
    detail = reads().instance(task.instance_id)
    definition = casedesk().definitions.load(task.forms_version(detail.definition_id))
    schema = definition.forms.get(task.form_file or "", {"type": "object", "properties": {}})
    ui = definition.forms.get(task.ui_form_file or "", {})
    return schema, ui


def _render(task: TaskView, values: dict[str, Any] | None, errors: dict[str, list[str]],
            raw_errors: frozenset[str] | set[str] = frozenset(), refusal: HandlerRefused | None = None,
            notice: str | None = None, away: bool = False) -> str:
    """The task page; a first view pre-fills the form with the case's data of the same names
    (what the customer told intake appears again on the application), a failed post shows what was typed.
    A handler's refusal is said in one line at the top, its own sentence in the page's language: it may name no
    field of this form. Someone `away` (R-3.1) is offered no Claim button."""
    detail = reads().instance(task.instance_id)
    definition = casedesk().definitions.load(task.forms_version(detail.definition_id))
    # The case's data is labelled by the forms of the instance's whole bundle (the stages it passed), and the
    # task's own version's forms over them.
    case_forms = {**casedesk().definitions.load(detail.definition_id).forms, **definition.forms}
    schema, ui = _form_of(task)
    if values is None:
        values = {name: value for name, value in detail.data.items() if name in (schema.get("properties") or {})}
    tag = language_tag()
    # Messages already worded for the page (a refused file) are shown as they are.
    shown = {**friendly_errors({k: v for k, v in errors.items() if k not in raw_errors}),
             **{k: v for k, v in errors.items() if k in raw_errors}}
    fields = build_fields(schema, ui, tag, values, shown, translate=bundle_text,
                          choices=choices_for(schema, current_actor()), zone=_zone())
    form_errors = shown.get("", [])
    if refusal is not None:
        form_errors = [*form_errors, _refusal_line(refusal, named_fields=bool(
            set(shown) & set(schema.get("properties") or {})))]
    if notice is not None:
        form_errors = [*form_errors, notice]
    due_at = task.due_at
    element = element_info(definition, task.task_spec)
    return render_template(
        "task.html", task=task, instance=detail.row, element=element,
        instructions=shown_instructions(task.instructions, element.instructions, detail.data),
        # A refusal's own line says that nothing was saved: the form's general line would only repeat it.
        fields=fields, form_errors=form_errors, has_errors=bool(errors) and refusal is None,
        form_title=translated_title(schema, tag, bundle_text) or bundle_text(task.title),
        form_description=bundle_text(schema.get("description") or ""),
        may_work=may_work_task(current_actor(), task), may_claim=not away, colleagues=_colleagues(task),
        shown=task_case_data(schema, case_forms, detail.data),
        data_rows=full_case_data(current_actor(), case_forms, detail.data),
        multipart=bool(convention.document_fields(schema)),
        due_at=due_at, overdue=due_at is not None and due_at < now(),
    )


def _refusal_line(refusal: HandlerRefused, named_fields: bool) -> str:
    """The one line a handler's refusal puts at the top: its sentence in the page's language. A sentence the
    language has no wording of (a ValueError's English text) gives way to the marked fields when there are any,
    so the page keeps to one language; with none marked it is all the person has to go on."""
    reason = refusal_reason(refusal)
    if reason is None and named_fields:
        return _("The step after this form refused it, so nothing was saved; correct the marked fields and submit "
                 "again.")
    return _("The step after this form refused it, so nothing was saved; correct it and submit again: %(reason)s",
             reason=reason or refusal.reason)


def _zone() -> ZoneInfo:
    """The user's time zone (a ZoneInfo: date-times typed on the wall clock are read in it)."""
    return ZoneInfo(select_timezone())


def _colleagues(task: TaskView) -> list[str]:
    """Whom the holder of a task may delegate it to: the other active members of its group."""
    me = current_actor().username
    if task.assignee != me or task.candidate_group is None:
        return []
    return [name for name in casedesk().handover.members(task.candidate_group) if name != me]
