"""Administrators manage people: add users, reset passwords, deactivate and reactivate, set group membership,
name groups in each language."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.access import is_admin
from engine.errors import InvalidInput

from ..auth import casedesk, current_actor, require
from ..formmessages import invalid_input_message
from ..i18n import group_titles

bp = Blueprint("admin_users", __name__)
DENIED = _l("User administration is for administrators.")


def _chosen_groups() -> list[str]:
    """Ticked existing groups plus any new ones typed (comma or space separated)."""
    typed = request.form.get("new_groups", "").replace(",", " ").split()
    return sorted(set(request.form.getlist("groups")) | set(typed))


@bp.get("/admin/users")
@require(is_admin, DENIED)
def index() -> ResponseReturnValue:
    users = casedesk().users
    return render_template("admin/users.html", users=users.list_users(), groups=users.list_groups(),
                           form={}, errors={}, group_titles=group_titles().all())


@bp.post("/admin/users")
@require(is_admin, DENIED)
def add() -> ResponseReturnValue:
    users = casedesk().users
    username = request.form.get("username", "").strip()
    display_name = request.form.get("display_name", "").strip()
    groups = _chosen_groups()
    try:
        if users.exists(username):
            raise InvalidInput(_("There is already a user %(name)s.", name=username),
                               {"username": [_("This name is taken.")]})
        users.add_user(username, request.form.get("password", ""), groups, display_name)
    except InvalidInput as exc:
        return render_template("admin/users.html", users=users.list_users(), groups=users.list_groups(),
                               form=request.form, errors=exc.field_errors, problem=invalid_input_message(exc),
                               group_titles=group_titles().all()), 422
    flash(_("User %(name)s added.", name=username))
    return redirect(url_for("admin_users.index"))


@bp.post("/admin/users/<username>/password")
@require(is_admin, DENIED)
def reset_password(username: str) -> ResponseReturnValue:
    casedesk().users.set_password(username, request.form.get("password", ""))
    flash(_("The password of %(name)s was reset; their sessions and tokens have ended.", name=username))
    return redirect(url_for("admin_users.index"))


@bp.post("/admin/users/<username>/active")
@require(is_admin, DENIED)
def set_active(username: str) -> ResponseReturnValue:
    active = request.form.get("active") == "true"
    if not active and username == current_actor().username:
        raise InvalidInput(_("You cannot deactivate yourself."))
    casedesk().users.set_active(username, active)
    flash(_("%(name)s can sign in again.", name=username) if active
          else _("%(name)s is deactivated and can no longer sign in.", name=username))
    return redirect(url_for("admin_users.index"))


@bp.post("/admin/users/<username>/groups")
@require(is_admin, DENIED)
def set_groups(username: str) -> ResponseReturnValue:
    groups = _chosen_groups()
    if username == current_actor().username and "admin" not in groups:
        raise InvalidInput(_("You cannot take yourself out of the administrators."))
    casedesk().users.set_groups(username, groups)
    flash(_("Groups of %(name)s: %(groups)s.", name=username, groups=", ".join(groups) or "—"))
    return redirect(url_for("admin_users.index"))


@bp.post("/admin/groups/<name>/titles")
@require(is_admin, DENIED)
def set_group_titles(name: str) -> ResponseReturnValue:
    """What staff read for a group in each language; its code in diagrams stays."""
    group_titles().set_titles(name, {locale: request.form.get(f"title_{locale}", "")
                                     for locale in ("en", "zh-Hans", "zh-Hant")})
    flash(_("The names of group %(name)s were saved.", name=name))
    return redirect(url_for("admin_users.index"))
