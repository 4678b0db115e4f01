"""API: process instances — list, detail, cancel and history."""
from __future__ import annotations

import json
from typing import Any

from flask import url_for
from flask_smorest import Blueprint

from engine.access import may_cancel
from engine.errors import Forbidden, N_
from engine.runtime.readmodel import InstanceQuery, InstanceRow

from .auth import authenticate_request
from .common import instance_body, visible_instance
from .context import caller, casedesk, services
from .errors import install_error_handlers
from .schemas import CancelSchema, EventSchema, HistoryQuerySchema, InstanceQuerySchema, InstanceSchema, InstanceSummarySchema

blp = install_error_handlers(Blueprint("api_instances", __name__, description="Process instances and their history"))
blp.before_request(authenticate_request)


@blp.route("", methods=["GET"])
@blp.doc(operationId="listInstances")
@blp.arguments(InstanceQuerySchema(), location="query")
@blp.response(200, InstanceSummarySchema(many=True))
def list_instances(query: dict[str, Any]) -> list[InstanceRow]:
    """Instances the caller may see, newest first (auditors, trackers and administrators see all)."""
    where = InstanceQuery(status=query["status"], process=query["process"], case_number=query["case_number"],
                          starter=query["started_by"], limit=query["limit"])
    return services().reads.instances(caller(), where)


@blp.route("/<instance_id>", methods=["GET"])
@blp.doc(operationId="getInstance")
@blp.response(200, InstanceSchema)
def get_instance(instance_id: str) -> dict[str, Any]:
    """One instance with its ready tasks and its data."""
    return instance_body(visible_instance(instance_id))


@blp.route("/<instance_id>/cancel", methods=["POST"])
@blp.doc(operationId="cancelInstance")
@blp.arguments(CancelSchema())
@blp.response(200, InstanceSchema)
def cancel_instance(body: dict[str, Any], instance_id: str) -> dict[str, Any]:
    """Cancel a running instance (its starter or an administrator); 409 when it is no longer running."""
    me = caller()
    if not may_cancel(me, visible_instance(instance_id).facts):
        raise Forbidden(N_("only an administrator or the starter may cancel an instance"))
    casedesk().runtime.cancel_instance(instance_id, me.username, body["reason"])
    return instance_body(visible_instance(instance_id))


@blp.route("/<instance_id>/history", methods=["GET"])
@blp.doc(operationId="getInstanceHistory")
@blp.arguments(HistoryQuerySchema(), location="query")
@blp.response(200, EventSchema(many=True), headers={
    "Link": {"description": '`<…?after=SEQ&limit=N>; rel="next"` when more events follow',
             "schema": {"type": "string"}}})
def instance_history(query: dict[str, Any], instance_id: str) -> Any:
    """A page of the instance's hash-chained event log, oldest first, by `seq` cursor."""
    visible_instance(instance_id)
    limit = query["limit"]
    page = services().reads.history(instance_id, query["after"], limit + 1)
    body = [{"seq": e.seq, "at": e.at, "actor": e.actor, "category": e.category, "type": e.type,
             "task_id": e.task_id, "task_spec": e.task_spec, "payload": json.loads(e.payload),
             "prev_hash": e.prev_hash, "hash": e.hash} for e in page[:limit]]
    if len(page) <= limit:
        return body
    following = url_for("api_instances.instance_history", instance_id=instance_id, after=body[-1]["seq"], limit=limit)
    return body, 200, {"Link": f'<{following}>; rel="next"'}
