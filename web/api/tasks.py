"""API: user tasks — the caller's inbox, one task with its form, claim, unclaim, complete."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask_smorest import Blueprint

from engine.errors import NotFound
from engine.instance_reads import InstanceSummary, may_work
from engine.instancestore import TaskView

from .auth import authenticate_request
from .context import caller, casedesk, services
from .errors import install_error_handlers
from .policy import require_may_change
from .schemas import DataSchema, InstanceSchema, TaskDetailSchema, TaskQuerySchema, TaskSchema

blp = install_error_handlers(Blueprint("api_tasks", __name__, description="User tasks"))
blp.before_request(authenticate_request)


@blp.route("", methods=["GET"])
@blp.doc(operationId="listTasks")
@blp.arguments(TaskQuerySchema, location="query")
@blp.response(200, TaskSchema(many=True))
def list_tasks(query: dict[str, Any]) -> list[TaskView]:
    """Ready tasks the caller may work: `mine` (claimed by the caller), `groups` (unclaimed, for the
    caller's groups), or both."""
    me = caller()
    tasks = casedesk().runtime.list_tasks(user=me.username, instance_id=query["instance_id"])
    if query["scope"] == "mine":
        tasks = [t for t in tasks if t.assignee == me.username]
    elif query["scope"] == "groups":
        tasks = [t for t in tasks if t.assignee is None]
    return tasks


@blp.route("/<task_id>", methods=["GET"])
@blp.doc(operationId="getTask")
@blp.response(200, TaskDetailSchema)
def get_task(task_id: str) -> dict[str, Any]:
    """One ready task with its form's JSON Schema and UI schema; 409 once it is no longer ready."""
    task = _visible_task(task_id)
    app = casedesk()
    definition = app.definitions.load(services().instances.definition_id_of(task.instance_id))
    return asdict(task) | {
        "form_schema": definition.forms.get(task.form_file) if task.form_file else None,
        "ui_schema": definition.forms.get(task.ui_form_file) if task.ui_form_file else None,
    }


@blp.route("/<task_id>/claim", methods=["POST"])
@blp.doc(operationId="claimTask")
@blp.response(200, TaskSchema)
def claim_task(task_id: str) -> TaskView:
    """Claim a task of one of the caller's groups; 409 when someone else was faster."""
    me = caller()
    _visible_task(task_id)
    require_may_change(me.groups)
    return casedesk().runtime.claim_task(task_id, me.username)


@blp.route("/<task_id>/unclaim", methods=["POST"])
@blp.doc(operationId="unclaimTask")
@blp.response(200, TaskSchema)
def unclaim_task(task_id: str) -> TaskView:
    """Give a claimed task back to its group."""
    me = caller()
    _visible_task(task_id)
    require_may_change(me.groups)
    return casedesk().runtime.unclaim_task(task_id, me.username)


@blp.route("/<task_id>/complete", methods=["POST"])
@blp.doc(operationId="completeTask")
@blp.arguments(DataSchema)
@blp.response(200, InstanceSchema)
def complete_task(body: dict[str, Any], task_id: str) -> InstanceSummary:
    """Submit the task's form; 422 with messages per field (nothing saved) when the data is invalid,
    409 when the task is no longer ready."""
    me = caller()
    task = _visible_task(task_id)
    require_may_change(me.groups)
    casedesk().runtime.complete_task(task_id, body["data"], me.username)
    return services().instances.get(task.instance_id, me.username, set(me.groups))


def _visible_task(task_id: str) -> TaskView:
    """The task if the caller may work it or may see its instance; otherwise it does not exist for them."""
    me = caller()
    task = services().instances.task(task_id)
    if may_work(task, me.username, me.groups):
        return task
    if services().instances.may_see(task.instance_id, me.username, set(me.groups)):
        return task
    raise NotFound(f"no task {task_id}")
