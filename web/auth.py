"""Sign-in and sign-out (Flask-Login over the signed session cookie) and the policy checks pages use."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar, cast

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user

from engine.access import Actor
from engine.bootstrap import Casedesk
from engine.errors import Forbidden, NotFound
from engine.throttle import Throttled

from .i18n import LANGUAGES, safe_next, is_timezone

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


class SignedInUser(UserMixin):  # type: ignore[misc]  # flask_login ships no type information
    def __init__(self, session_id: str, username: str, groups: set[str]):
        self.session_id = session_id  # names the server-side session row: signing out deletes it
        self.username = username
        self.actor = Actor(username, frozenset(groups))

    def get_id(self) -> str:
        return self.session_id

    @property
    def groups(self) -> frozenset[str]:
        return self.actor.groups


def casedesk() -> Casedesk:
    return cast(Casedesk, current_app.extensions["casedesk"])


def current_actor() -> Actor:
    """The signed-in user as the access policy sees them (pages are `login_required`)."""
    return cast(SignedInUser, current_user).actor


def require(check: Callable[[Actor], bool], what: str | LazyString) -> Callable[[F], F]:
    """Sign-in required, then the policy's `check`; a refusal is a 403 page naming what was refused
    (`what` may be a lazy translation: it is rendered in the language of the refused request)."""
    def decorate(view: F) -> F:
        @wraps(view)
        @login_required  # type: ignore[misc]
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not check(current_actor()):
                raise Forbidden(str(what))
            return view(*args, **kwargs)
        return cast(F, guarded)
    return decorate


def _load_user(session_id: str) -> SignedInUser | None:
    # The session row and the groups are read on every request, so a sign-out, a new password, a
    # deactivation or a changed membership applies at once, even to a copied cookie.
    try:
        found = casedesk().users.session_user(session_id)
    except NotFound:
        return None
    return SignedInUser(session_id, *found) if found is not None else None


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    error = None
    username = ""
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        try:
            session_id = casedesk().users.sign_in(username, password, request.remote_addr) if username else None
        except Throttled as exc:
            return render_template("login.html", error=_(
                "Too many failed sign-ins. Try again in %(minutes)s minutes.",
                minutes=max(1, -(-exc.retry_after // 60))), username=username), 429, {
                    "Retry-After": str(exc.retry_after)}
        if session_id is not None:
            user = _load_user(session_id)
            if user is not None:
                # A fresh session on sign-in: nothing carried over from before but the language the
                # sign-in page was shown in, so a user who chose Chinese there is not sent on in English.
                locale = request.form.get("locale") or session.get("locale")
                session.clear()
                zone = request.form.get("timezone") or ""
                if is_timezone(zone):
                    session["timezone"] = zone
                if locale in LANGUAGES:
                    session["locale"] = locale
                login_user(user)
                return redirect(safe_next(use_referrer=False))
        error = _("Unknown user name or wrong password.")
    status = 401 if error else 200
    return render_template("login.html", error=error, username=username), status


@bp.post("/logout")
@login_required  # type: ignore[misc]
def logout() -> ResponseReturnValue:
    casedesk().users.sign_out(cast(SignedInUser, current_user).session_id)  # the cookie, and API tokens, end
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.login_message = None  # the login page explains itself
    manager.session_protection = "strong"
    manager.user_loader(_load_user)
    manager.init_app(app)
    app.register_blueprint(bp)
