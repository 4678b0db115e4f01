"""The signed-in user's own account page: the e-mail digest of new, soon-due and overdue tasks."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casework.digest import LANGUAGES
from engine.access import Actor

from ..auth import casedesk, current_actor, require
from ..i18n import language_tag

bp = Blueprint("account", __name__)
SIGN_IN = _l("Please sign in.")


def _own_account(actor: Actor) -> bool:
    """Every signed-in user has exactly one account page: their own."""
    return True


@bp.get("/account")
@require(_own_account, SIGN_IN)
def index() -> ResponseReturnValue:
    actor = current_actor()
    return render_template("account.html", setting=casedesk().digest.setting(actor.username),
                           default_address=casedesk().digest.default_address(actor.username),
                           digest_on=bool(casedesk().settings.digest_minutes), staff=bool(actor.staff_groups))


@bp.post("/account/notifications")
@require(_own_account, SIGN_IN)
def save_notifications() -> ResponseReturnValue:
    language = request.form.get("language") or language_tag()
    if language not in LANGUAGES:
        language = language_tag()
    casedesk().digest.save_setting(current_actor().username, request.form.get("digest") == "on",
                                   (request.form.get("email") or "")[:300], language)
    flash(_("Your notification settings are saved."))
    return redirect(url_for("account.index"))
