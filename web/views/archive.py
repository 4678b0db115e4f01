"""The archive in the browser (R-6): borrowers read through the guard; archivists see register, loans, access log."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, render_template, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casework.archive import ArchiveService, may_read_register
from casework.archive_listings import LOAN_STATES, AccessFilter, Loan
from casework.archive_register import CLASSES
from engine.access import Actor, is_staff
from engine.errors import Forbidden, InvalidInput, NotFound

from ..auth import casedesk, current_actor, require
from ..documents import download
from ..i18n import select_timezone
from ..nav import add_nav

bp = Blueprint("archive", __name__)
REGISTER_ONLY = _l("The archive register is for archivists and auditors.")
SIGN_IN = _l("Please sign in.")


def _anyone_signed_in(actor: Actor) -> bool:
    """Anyone may ask: the archive guard decides, and records the attempt either way (R-6.4)."""
    return True


def _is_register_reader(actor: Actor) -> bool:
    return may_read_register(actor.groups)


@bp.record_once
def _navigation(state: BlueprintSetupState) -> None:
    app = cast(Flask, state.app)
    add_nav(app, "archive.borrowings", lambda: _("My borrowings"), is_staff)
    add_nav(app, "archive.register", lambda: _("Archive register"), _is_register_reader)


def archives() -> ArchiveService:
    return casedesk().archives


# -- the borrower ----------------------------------------------------------------------------------

@bp.get("/archive/borrowings")
@require(_anyone_signed_in, SIGN_IN)
def borrowings() -> ResponseReturnValue:
    mine = archives().borrowings_of(current_actor().username)
    return render_template("archive/borrowings.html", loans=mine, readable={loan.id for loan in mine if _readable(loan)})


@bp.get("/archive/read/<number>")
@require(_anyone_signed_in, SIGN_IN)
def read(number: str) -> ResponseReturnValue:
    """R-6.4: the content only under the reader's approved, unexpired borrowing; the guard logs every attempt."""
    username = current_actor().username
    try:
        content = archives().read(number, username)
    except (Forbidden, NotFound):
        # Whether a number exists is register knowledge (archivists, auditors): every refusal reads the same.
        raise Forbidden(_refusal(number, archives().borrowings_of(username))) from None
    return render_template("archive/read.html", content=content, class_title=_class_title(content.archive_class),
                           loan=archives().borrowing(content.borrowing_id))


@bp.get("/archive/read/<number>/documents/<sha256>")
@require(_anyone_signed_in, SIGN_IN)
def read_document(number: str, sha256: str) -> ResponseReturnValue:
    """R-6.1, R-6.4: a file filed with the archive's case, only under an approved, unexpired borrowing;
    the guard records the attempt, naming the file, whether it is granted or refused."""
    username = current_actor().username
    try:
        document = archives().read_document(number, sha256, username)
    except (Forbidden, NotFound):
        mine = archives().borrowings_of(username)
        if any(loan.archive_number == number and _readable(loan) for loan in mine):
            raise NotFound(_("Archive %(number)s holds no such document.", number=number)) from None
        raise Forbidden(_refusal(number, mine)) from None
    return download(document)


def _readable(loan: Loan) -> bool:
    return loan.status == "approved" and not loan.overdue


def _refusal(number: str, mine: list[Loan]) -> str:
    latest = next((loan for loan in mine if loan.archive_number == number), None)
    if latest is None:
        return _("You have no approved borrowing of archive %(number)s. Apply for one through "
                 "“Archive borrowing” on the Start page (R-6.4).", number=number)
    if latest.status == "pending":
        why = _("your application is still waiting for approval")
    elif latest.status == "rejected":
        why = _("your application was rejected")
    elif latest.status == "returned":
        why = _("you returned it")
    else:
        why = _("your borrowing has expired")
    return _("You may not read archive %(number)s: %(why)s (R-6.4).", number=number, why=why)


# -- the archivist and the auditor -----------------------------------------------------------------

@bp.get("/archive/register")
@require(_is_register_reader, REGISTER_ONLY)
def register() -> ResponseReturnValue:
    archive_class = request.args.get("class") or None
    if archive_class is not None and archive_class not in CLASSES:
        raise InvalidInput(_("Unknown archive class."), {"class": ["unknown"]})
    search = (request.args.get("q") or "").strip()[:100]
    entries = archives().list_register(current_actor().username, archive_class=archive_class, search=search or None)
    return render_template("archive/register.html", entries=entries, archive_class=archive_class, search=search,
                           class_title=_class_title)


@bp.get("/archive/register/<number>")
@require(_is_register_reader, REGISTER_ONLY)
def record(number: str) -> ResponseReturnValue:
    found = archives().register_record(number, current_actor().username)
    accesses = archives().access_log(current_actor().username, AccessFilter(archive_number=number))
    return render_template("archive/record.html", record=found, accesses=accesses,
                           class_title=_class_title(found.entry.archive_class))


@bp.get("/archive/loans")
@require(_is_register_reader, REGISTER_ONLY)
def loans() -> ResponseReturnValue:
    state = request.args.get("state") or "open"
    if state not in LOAN_STATES:
        raise InvalidInput(_("Unknown loan state."), {"state": ["unknown"]})
    return render_template("archive/loans.html", loans=archives().loans(current_actor().username, state),
                           state=state, states=LOAN_STATES)


@bp.get("/archive/accesses")
@require(_is_register_reader, REGISTER_ONLY)
def accesses() -> ResponseReturnValue:
    zone = ZoneInfo(select_timezone())
    since_text, until_text = request.args.get("since") or "", request.args.get("until") or ""
    where = AccessFilter(username=(request.args.get("user") or "").strip()[:80] or None,
                         archive_number=(request.args.get("number") or "").strip()[:40] or None,
                         since=_day_start(since_text, "since", zone),
                         # "until" names the last day shown, so the period ends when the next day begins.
                         until=_day_start(until_text, "until", zone, days_after=1))
    return render_template("archive/accesses.html", records=archives().access_log(current_actor().username, where),
                           where=where, since=since_text, until=until_text)


def _day_start(text: str, field: str, zone: ZoneInfo, days_after: int = 0) -> datetime | None:
    """The start of the day `text` (YYYY-MM-DD) in the reader's time zone; bad input is a 422."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text) + timedelta(days=days_after)
    except (ValueError, OverflowError):
        raise InvalidInput(_("Dates are written as YYYY-MM-DD."), {field: ["date"]}) from None
    return datetime.combine(day, time(), tzinfo=zone)


def _class_title(name: str) -> str:
    titles = {"sales": _("Sales archives"), "procurement": _("Procurement archives"),
              "finance": _("Finance archives"), "general": _("General archives")}
    return titles.get(name, name)
