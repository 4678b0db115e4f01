"""API: process instances — list, detail, cancel and history."""
from __future__ import annotations

import json
from typing import Any

from flask_smorest import Blueprint

from engine.errors import NotFound
from engine.instance_reads import InstanceFilter, InstanceSummary

from .auth import authenticate_request
from .context import caller, casedesk, services
from .errors import install_error_handlers
from .policy import require_may_change
from .schemas import CancelSchema, EventSchema, InstanceQuerySchema, InstanceSchema

blp = install_error_handlers(Blueprint("api_instances", __name__, description="Process instances and their history"))
blp.before_request(authenticate_request)


@blp.route("", methods=["GET"])
@blp.doc(operationId="listInstances")
@blp.arguments(InstanceQuerySchema, location="query")
@blp.response(200, InstanceSchema(many=True))
def list_instances(query: dict[str, Any]) -> list[InstanceSummary]:
    """Instances the caller may see, newest first (auditors and administrators see all)."""
    me = caller()
    where = InstanceFilter(status=query["status"], process_key=query["process"], business_key=query["business_key"],
                           started_by=query["started_by"], limit=query["limit"], offset=query["offset"])
    return services().instances.list(me.username, set(me.groups), where)


@blp.route("/<instance_id>", methods=["GET"])
@blp.doc(operationId="getInstance")
@blp.response(200, InstanceSchema)
def get_instance(instance_id: str) -> InstanceSummary:
    """One instance with its ready tasks."""
    me = caller()
    return services().instances.get(instance_id, me.username, set(me.groups))


@blp.route("/<instance_id>/cancel", methods=["POST"])
@blp.doc(operationId="cancelInstance")
@blp.arguments(CancelSchema)
@blp.response(200, InstanceSchema)
def cancel_instance(body: dict[str, Any], instance_id: str) -> InstanceSummary:
    """Cancel a running instance (its starter or an administrator); 409 when it is no longer running."""
    me = caller()
    _require_visible(instance_id)
    require_may_change(me.groups)
    casedesk().runtime.cancel_instance(instance_id, me.username, body["reason"])
    return services().instances.get(instance_id, me.username, set(me.groups))


@blp.route("/<instance_id>/history", methods=["GET"])
@blp.doc(operationId="getInstanceHistory")
@blp.response(200, EventSchema(many=True))
def instance_history(instance_id: str) -> list[dict[str, Any]]:
    """The instance's hash-chained event log, oldest first."""
    _require_visible(instance_id)
    return [{"seq": e.seq, "at": e.at, "actor": e.actor, "category": e.category, "type": e.type,
             "task_id": e.task_id, "task_spec": e.task_spec, "payload": json.loads(e.payload),
             "prev_hash": e.prev_hash, "hash": e.hash}
            for e in casedesk().history.events(instance_id)]


def _require_visible(instance_id: str) -> None:
    me = caller()
    if not services().instances.may_see(instance_id, me.username, set(me.groups)):
        raise NotFound(f"no instance {instance_id}")
