"""API: replay an instance from its recorded inputs (the auditor's verification) and its state at any event."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request
from flask_smorest import Blueprint
from marshmallow import fields, validate

from engine.errors import Forbidden, N_

from .auth import authenticate_request
from .common import visible_instance
from .context import caller, casedesk
from .errors import install_error_handlers

blp = install_error_handlers(Blueprint("api_replay", __name__,
                                       description="Replay and time travel of an instance (auditors, administrators)"))
blp.before_request(authenticate_request)

AUDIT_ROLES = frozenset({"auditor", "admin"})


@blp.before_request
def _require_auditor() -> None:
    """Refusals come before the query is read: 404 for an instance the caller may not see, 403 for a
    caller who is neither auditor nor administrator."""
    if request.method == "OPTIONS":
        return
    me = caller()
    instance_id = (request.view_args or {}).get("instance_id", "")
    visible_instance(instance_id)  # NotFound unless the access policy lets the caller see it
    if not AUDIT_ROLES & set(me.groups):
        raise Forbidden(N_("replay and time travel are for auditors and administrators"))


class DivergenceSchema(ma.Schema):
    seq = fields.Integer(allow_none=True, metadata={"description": "the event where replay and record part"})
    kind = fields.String(required=True, metadata={"description": "e.g. `event differs`, `final state differs`"})
    detail = fields.String(required=True)
    expected = fields.Raw(allow_none=True, metadata={"description": "what the log records there"})
    got = fields.Raw(allow_none=True, metadata={"description": "what replay produced there"})


class ChainSchema(ma.Schema):
    ok = fields.Boolean(required=True)
    problems = fields.List(fields.String(), required=True)


class ReplayReportSchema(ma.Schema):
    instance = fields.String(required=True)
    definition = fields.String(required=True, metadata={"description": "the pinned version, `key vN`"})
    events = fields.Integer(required=True)
    verified = fields.Boolean(required=True, metadata={"description": "chain intact and every event reproduced"})
    chain = fields.Nested(ChainSchema, required=True)
    divergence = fields.Nested(DivergenceSchema, allow_none=True)


class StateQuerySchema(ma.Schema):
    at = fields.Integer(load_default=None, validate=validate.Range(min=1),
                        metadata={"description": "event seq (default: the last event)"})


class StateSchema(ma.Schema):
    instance = fields.String(required=True)
    seq = fields.Integer(required=True)
    event = fields.Dict(required=True, metadata={"description": "the event at `seq`"})
    tokens = fields.List(fields.Dict(), required=True,
                         metadata={"description": "elements READY, WAITING or STARTED at that moment"})
    completed = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    flows = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                        metadata={"description": "sequence flow id → tokens that took it so far"})
    data = fields.Dict(required=True)
    actors = fields.List(fields.Dict(), required=True, metadata={"description": "who did what, up to `seq`"})
    assignees = fields.Dict(required=True, metadata={"description": "ready task id → who claimed it"})


@blp.route("/<instance_id>/replay", methods=["POST"])
@blp.doc(operationId="replayInstance")
@blp.response(200, ReplayReportSchema)
def replay_instance(instance_id: str) -> dict[str, Any]:
    """Re-execute the recorded inputs on the pinned version; `verified`, or the first divergence. Changes nothing."""
    return casedesk().history.replay(instance_id).as_dict()


@blp.route("/<instance_id>/state", methods=["GET"])
@blp.doc(operationId="getInstanceStateAt")
@blp.arguments(StateQuerySchema(), location="query")
@blp.response(200, StateSchema)
def state_at(query: dict[str, Any], instance_id: str) -> dict[str, Any]:
    """The instance as of event `at` (default: the last event): tokens, completed elements, flows taken, data,
    actors (replayed, so exact). 422 when `at` is outside the log; 409 when the history does not replay there."""
    at = query["at"]
    if at is None:
        at = len(casedesk().history.events(instance_id))
    return casedesk().history.state_at(instance_id, at).as_dict()
