"""API: send a message to the instances waiting for it, or start one through its message start event."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from .auth import authenticate_request
from .context import caller, casedesk
from .errors import install_error_handlers

blp = install_error_handlers(Blueprint("api_messages", __name__, description="Messages to process instances"))
blp.before_request(authenticate_request)


class MessageSchema(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"description": "the message's name as the diagram spells it"})
    correlation = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "correlation property ids and their values, e.g. {\"order_id\": \"A1\"}"})
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "the message's payload; it must carry the correlation values the diagram reads from it"})


class DeliveredSchema(ma.Schema):
    instance_id = fields.String(required=True)
    process = fields.String(required=True, metadata={"description": "the instance's process key"})
    started = fields.Boolean(required=True, metadata={"description": "true: made by a message start event"})


class DeliveriesSchema(ma.Schema):
    name = fields.String(required=True)
    delivered = fields.List(fields.Nested(DeliveredSchema), required=True)


@blp.route("", methods=["POST"])
@blp.doc(operationId="sendMessage")
@blp.arguments(MessageSchema())
@blp.response(200, DeliveriesSchema)
def send_message(body: dict[str, Any]) -> dict[str, Any]:
    """Deliver a message: to the running instances waiting for it whose correlation values match, else to
    the one instance waiting for it without any, else to a new instance of each process that starts with it.

    Its starters (the lanes of its start events, any staff without lanes), process owners and
    administrators may send a process a message. 409 when it reaches nobody or is ambiguous, 422 when its
    data lacks a correlation value; nothing is stored then."""
    delivered = casedesk().messages.send(body["name"], body["correlation"], body["data"], caller().username)
    return {"name": body["name"], "delivered": [d.as_dict() for d in delivered]}
