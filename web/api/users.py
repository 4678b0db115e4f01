"""API: administrators deactivate and reactivate users (a deactivated user is signed out and loses every token)."""
from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint

from engine.access import is_admin
from engine.errors import Forbidden, N_

from .auth import authenticate_request
from .context import caller, casedesk
from .errors import install_error_handlers

blp = install_error_handlers(Blueprint("api_users", __name__, description="User accounts (administrators)"))
blp.before_request(authenticate_request)


class UserStateSchema(ma.Schema):
    username = ma.fields.String(required=True)
    active = ma.fields.Boolean(required=True)


def _set_active(username: str, active: bool) -> dict[str, Any]:
    if not is_admin(caller()):
        raise Forbidden(N_("only an administrator may deactivate or reactivate users"))
    casedesk().users.set_active(username, active)
    return {"username": username, "active": active}


@blp.route("/<username>/deactivate", methods=["POST"])
@blp.doc(operationId="deactivateUser")
@blp.response(200, UserStateSchema)
def deactivate_user(username: str) -> dict[str, Any]:
    """The user can no longer sign in; their sessions end and their API tokens are revoked at once."""
    return _set_active(username, False)


@blp.route("/<username>/activate", methods=["POST"])
@blp.doc(operationId="activateUser")
@blp.response(200, UserStateSchema)
def activate_user(username: str) -> dict[str, Any]:
    """The user may sign in again (with their existing password)."""
    return _set_active(username, True)
