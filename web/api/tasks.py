"""API: user tasks — the caller's inbox, one task with its form, claim, unclaim, complete."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask_smorest import Blueprint

from engine.access import may_see_instance, may_see_task, may_work_task
from engine.definitions.specinfo import element_info
from engine.errors import Forbidden, InvalidInput, N_, NotFound
from engine.runtime.instructions import shown_instructions
from engine.runtime.readmodel import TaskAtHand
from engine.runtime.store import TaskView
from forms.documents import references_in

from ..choices import choices_for, refused_choices
from .auth import authenticate_request
from .common import stepped_body, task_bodies, task_body, visible_instance
from .context import caller, casedesk, release_reading, services
from .errors import install_error_handlers
from .schemas import DataSchema, InstanceSchema, TaskDetailSchema, TaskQuerySchema, TaskSchema

blp = install_error_handlers(Blueprint("api_tasks", __name__, description="User tasks"))
blp.before_request(authenticate_request)


@blp.route("", methods=["GET"])
@blp.doc(operationId="listTasks")
@blp.arguments(TaskQuerySchema(), location="query")
@blp.response(200, TaskSchema(many=True))
def list_tasks(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Ready tasks the caller may work: `mine` (claimed by the caller), `groups` (unclaimed, for the
    caller's groups), or both."""
    me = caller()
    tasks = services().reads.tasks_offered(me.username, casedesk().clock.now(), query["instance_id"])
    tasks = [t for t in tasks if may_work_task(me, t)]
    if query["scope"] == "mine":
        tasks = [t for t in tasks if t.assignee == me.username]
    elif query["scope"] == "groups":
        tasks = [t for t in tasks if t.assignee is None]
    return task_bodies(tasks)


@blp.route("/<task_id>", methods=["GET"])
@blp.doc(operationId="getTask")
@blp.response(200, TaskDetailSchema)
def get_task(task_id: str) -> dict[str, Any]:
    """One ready task with its form's JSON Schema and UI schema and its instructions (instructionsForEndUser
    rendered over the task's data when it became ready); 409 once it is no longer ready."""
    task = _visible_task(task_id)
    detail = visible_instance(task.instance_id)
    definition = casedesk().definitions.load(task.forms_version(detail.definition_id))
    instructions = shown_instructions(task.instructions, element_info(definition, task.task_spec).instructions,
                                      detail.data)
    return task_body(task, detail.row.reference) | {
        "form_schema": definition.forms.get(task.form_file) if task.form_file else None,
        "ui_schema": definition.forms.get(task.ui_form_file) if task.ui_form_file else None,
        "instructions": instructions.markdown, "instructions_html": instructions.html,
        "instructions_error": instructions.error,
    }


@blp.route("/<task_id>/claim", methods=["POST"])
@blp.doc(operationId="claimTask")
@blp.response(200, TaskSchema)
def claim_task(task_id: str) -> dict[str, Any]:
    """Claim a task of one of the caller's groups; 409 when someone else was faster."""
    _workable_task(task_id)
    return task_bodies([casedesk().runtime.claim_task(task_id, caller().username)])[0]


@blp.route("/<task_id>/unclaim", methods=["POST"])
@blp.doc(operationId="unclaimTask")
@blp.response(200, TaskSchema)
def unclaim_task(task_id: str) -> dict[str, Any]:
    """Give a claimed task back to its group."""
    _workable_task(task_id)
    return task_bodies([casedesk().runtime.unclaim_task(task_id, caller().username)])[0]


@blp.route("/<task_id>/complete", methods=["POST"])
@blp.doc(operationId="completeTask")
@blp.arguments(DataSchema())
@blp.response(200, InstanceSchema)
def complete_task(body: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Submit the task's form; 422 with messages per field (nothing saved) when the data is invalid,
    409 when the task is no longer ready. A file field takes the reference `POST /documents` answered
    (or a list of them); a reference to content the caller did not upload, or over the field's limits, is a 422."""
    at_hand = services().reads.task_at_hand(task_id)  # one statement for every check before the step
    task = at_hand.task
    _require_workable_and_visible(at_hand)
    forms = casedesk().definitions.load(task.forms_version(at_hand.definition_id)).forms
    schema = forms.get(task.form_file or "") or {}
    _check_choices_from_data(schema, body["data"])
    data = _resolved_documents(schema, at_hand.data, body["data"])
    release_reading()
    return stepped_body(casedesk().runtime.complete_task(task_id, data, caller().username))


def _check_choices_from_data(schema: dict[str, Any], data: Any) -> None:
    """A field whose choices come from data (`x-choices-from`) takes only what its source offers the caller."""
    refused = refused_choices(schema, data, choices_for(schema, caller())) if isinstance(data, dict) else {}
    if refused:
        raise InvalidInput(N_("the form has errors; nothing was saved"), refused)


def _resolved_documents(schema: dict[str, Any], case_data: dict[str, Any], data: Any) -> Any:
    """The data with each file reference as stored; refused references are messages on their fields."""
    if not isinstance(data, dict):
        return data
    held = {ref["sha256"] for _name, ref in references_in(case_data)}
    resolved, problems = casedesk().documents.resolve(schema, data, caller().username, held)
    if problems:
        raise InvalidInput(N_("the form has errors; nothing was saved"), problems)
    return resolved


def _visible_task(task_id: str) -> TaskView:
    """The task if the caller may see it or its instance; otherwise it does not exist for them."""
    me = caller()
    task = services().reads.task(task_id)
    if may_see_task(me, task):
        return task
    if may_see_instance(me, services().reads.instance(task.instance_id).facts):
        return task
    raise NotFound(N_("no task %(task)s"), task=task_id)


def _workable_task(task_id: str) -> TaskView:
    """The task if the caller's groups may work it; who holds the claim is the runtime's call
    (claiming a task someone else just claimed is a lost race: 409)."""
    task = services().reads.task(task_id)
    if may_work_task(caller(), replace(task, assignee=None)):
        return task  # one of the task's group: a colleague's claim is theirs to hear of (409), not a 404
    _visible_task(task_id)
    raise Forbidden(N_("you may not work this task: it belongs to group '%(group)s'"), group=task.candidate_group)


def _require_workable_and_visible(at_hand: TaskAtHand) -> None:
    """`_workable_task`, then the instance must be visible to the caller (404 otherwise). Decided on the
    task at hand when it allows; any refusal is decided on the instance's full facts, read only then."""
    me, task = caller(), at_hand.task
    workable = may_work_task(me, replace(task, assignee=None))
    if workable and may_see_instance(me, at_hand.facts):
        return
    facts = services().reads.instance(task.instance_id).facts
    if not workable:
        if may_see_task(me, task) or may_see_instance(me, facts):
            raise Forbidden(N_("you may not work this task: it belongs to group '%(group)s'"), group=task.candidate_group)
        raise NotFound(N_("no task %(task)s"), task=task.id)
    if not may_see_instance(me, facts):
        raise NotFound(N_("no instance %(instance)s"), instance=task.instance_id)
