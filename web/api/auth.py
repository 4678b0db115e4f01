"""Bearer-token authentication for the API: issuing tokens and resolving the caller of a request."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import abort, g, request
from flask_smorest import Blueprint

from engine.access import Actor, is_admin
from engine.errors import Forbidden, N_
from engine.tokens import AuthenticationFailed

from .errors import install_error_handlers

from .context import services

blp = install_error_handlers(Blueprint("api_auth", __name__, description="Bearer tokens for the API"))


class TokenRequestSchema(ma.Schema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=80))
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=1, max=500))


class TokenSchema(ma.Schema):
    token = ma.fields.String(required=True, metadata={"description": "send as `Authorization: Bearer TOKEN`"})
    username = ma.fields.String(required=True)
    expires_at = ma.fields.String(required=True, metadata={"description": "ISO 8601, UTC"})


@blp.route("/tokens", methods=["POST"])
@blp.doc(operationId="createToken", security=[])
@blp.arguments(TokenRequestSchema())
@blp.response(201, TokenSchema)
def create_token(body: dict[str, Any]) -> dict[str, Any]:
    """Exchange a user name and password for a bearer token."""
    issued = services().tokens.issue(body["username"], body["password"], request.remote_addr)
    return {"token": issued.token, "username": issued.username, "expires_at": issued.expires_at_iso}


class TokenInfoSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"description": "what DELETE /auth/tokens/{id} takes"})
    username = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    expires_at = ma.fields.DateTime(allow_none=True)


class TokenQuerySchema(ma.Schema):
    user = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=80),
                            metadata={"description": "administrators: another user's tokens"})


@blp.route("/tokens", methods=["GET"])
@blp.doc(operationId="listTokens")
@blp.arguments(TokenQuerySchema(), location="query")
@blp.response(200, TokenInfoSchema(many=True))
def list_tokens(query: dict[str, Any]) -> list[Any]:
    """The caller's unexpired tokens (administrators: any user's); the tokens themselves are never shown."""
    authenticate_request()
    me = g.api_caller
    user = query["user"] or me.username
    if user != me.username and not is_admin(me):
        raise Forbidden(N_("only an administrator may list another user's tokens"))
    return services().tokens.tokens_of(user)


@blp.route("/tokens/<int(max=9223372036854775807):token_id>", methods=["DELETE"])
@blp.doc(operationId="revokeToken")
@blp.response(204)
def revoke_token(token_id: int) -> None:
    """Revoke a token at once: its owner may, and administrators may revoke anyone's."""
    authenticate_request()
    me = g.api_caller
    services().tokens.revoke_by_id(token_id, me.username, is_admin(me))


def authenticate_request() -> None:
    """before_request of every other API blueprint: only a bearer token identifies the caller;
    a browser's session cookie is ignored here, so a forged cross-site request carries no identity."""
    if request.method == "OPTIONS":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, description="send `Authorization: Bearer TOKEN` (POST /api/v1/auth/tokens issues one)")
    try:
        username, groups = services().tokens.caller(token.strip())
    except AuthenticationFailed as exc:
        abort(401, description=str(exc))
    g.api_caller = Actor(username, groups)
