"""Languages (zh-Hans, zh-Hant, en) and time zones: chosen per session, defaulting to what the browser says."""
from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import Blueprint, Flask, abort, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import Babel, format_datetime, get_locale
from flask_babel import gettext as _

from engine.definitions.translations import BundleMessages, missing_translations, translated_diagram
from engine.group_titles import GroupTitles
from web.owner_text import owner_text

# Babel locale name -> the language tag pages and schemas use.
LANGUAGES = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}
# Each language's name in itself, for the switcher.
LANGUAGE_NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English"}
# Browser tags that mean Traditional characters (Taiwan, Hong Kong, Macao, or said outright).
TRADITIONAL_TAGS = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")
DEFAULT_LOCALE = "en"
DEFAULT_TIMEZONE = "UTC"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return str(chosen)
    # Traditional for the regions and script tag that use it, Simplified for any other Chinese.
    for tag, _quality in request.accept_languages:
        primary = tag.lower().replace("_", "-")
        if primary.startswith(TRADITIONAL_TAGS):
            return "zh_Hant"
        if primary.startswith("zh"):
            return "zh_Hans"
        if primary.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def select_timezone() -> str:
    zone = session.get("timezone")
    return zone if isinstance(zone, str) and is_timezone(zone) else DEFAULT_TIMEZONE


def is_timezone(name: str) -> bool:
    if not name or name not in _zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def language_tag() -> str:
    """The current language as pages and form schemas spell it: `zh-Hans`, `zh-Hant` or `en`."""
    return LANGUAGES.get(str(get_locale()), "en")


def bundle_text(text: str | None) -> str:
    """A process bundle's English text (element name, documentation, form title, enum label, error
    message) in the page's language, from the catalogues deployed with the bundles; English when none."""
    if not text:
        return ""
    tag = language_tag()
    return text if tag == "en" else _bundle_messages().translate(text, tag)


def process_label(key: str | None) -> str:
    """A process's display name in the page's language, for staff who should never read its key."""
    return _bundle_messages().process_name(key, language_tag()) if key else ""


def group_label(name: str | None) -> str:
    """A group's title in the page's language (engine/group_titles.py), for staff who should never read its code."""
    return group_titles().title(name, language_tag()) if name else ""


def group_titles() -> GroupTitles:
    """This worker's group titles (read again a few seconds after another worker renames one)."""
    titles = current_app.extensions.get("group_titles")
    if titles is None:
        titles = current_app.extensions["group_titles"] = GroupTitles(current_app.extensions["casedesk"].db)
    return cast(GroupTitles, titles)


def announce_missing_translations(files: dict[str, bytes]) -> None:
    """Tell the deployer which diagrams will show in English (a warning: the deploy went through)."""
    for warning in missing_translations(files):
        if warning.reason:
            flash(_("The %(language)s translations of %(diagram)s (%(catalogue)s) cannot be read, so English is "
                    "shown instead: %(reason)s", language=warning.locale, diagram=warning.diagram,
                    catalogue=warning.catalogue, reason=warning.reason))
        else:
            flash(_("%(diagram)s has no %(language)s translations (%(catalogue)s), so English is shown instead.",
                    diagram=warning.diagram, language=warning.locale, catalogue=warning.catalogue))


def diagram_in_language(content: bytes, filename: str) -> bytes:
    """A stored BPMN file with its labels in the page's language, for the viewers staff and auditors read."""
    if language_tag() == "en":
        return content
    # A lane named by its group's code ("archivist") reads as the group's title, like everywhere else.
    return translated_diagram(content, lambda text: _label_or_group(bundle_text(text), text), filename)


def _label_or_group(translated: str, text: str) -> str:
    return translated if translated != text else group_label(text)


def _bundle_messages() -> BundleMessages:
    messages = current_app.extensions.get("bundle_messages")
    if messages is None:
        messages = current_app.extensions["bundle_messages"] = BundleMessages(current_app.extensions["casedesk"].db)
    return cast(BundleMessages, messages)


def local_datetime(value: datetime | None, style: str = "medium") -> str:
    """A stored UTC time shown in the session's zone, formatted for its language."""
    if value is None:
        return ""
    return str(format_datetime(value, style))


@bp.get("/language/<code>")
def set_language(code: str) -> ResponseReturnValue:
    if code not in LANGUAGES:
        abort(404)
    session["locale"] = code
    return redirect(safe_next())


@bp.post("/timezone")
def set_timezone() -> ResponseReturnValue:
    """Remember the zone the browser reports (or the user picks) for this session; stored times stay UTC."""
    zone = (request.form.get("timezone") or "").strip()
    if not is_timezone(zone):
        abort(400, description=f"unknown time zone {zone!r}")
    session["timezone"] = zone
    return redirect(safe_next())


def safe_next(use_referrer: bool = True) -> str:
    target = request.values.get("next") or (request.referrer if use_referrer else "") or ""
    # Only paths on this site: an open redirect would let a link send users anywhere.
    if target.startswith(request.host_url):
        target = "/" + target[len(request.host_url):]
    if not is_local_path(target):
        return url_for("inbox.index")
    return target


def is_local_path(target: str) -> bool:
    """A path on this site and nothing a browser could read as another host: browsers drop tabs and
    newlines and read a backslash as a slash, so `/\t/evil.example/` would become `//evil.example/`."""
    if not target.startswith("/") or any(c.isspace() or c == "\\" or ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return not target.startswith("//") and not parts.scheme and not parts.netloc


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path + "/translations"))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.register_blueprint(bp)
    app.jinja_env.filters["localtime"] = local_datetime
    app.jinja_env.filters["bundle_text"] = bundle_text
    app.jinja_env.filters["process_label"] = process_label
    app.jinja_env.filters["group_label"] = group_label
    app.jinja_env.filters["owner_text"] = owner_text

    @app.context_processor
    def language_context() -> dict[str, Any]:
        return {"language_tag": language_tag(), "languages": LANGUAGES, "language_names": LANGUAGE_NAMES,
                "current_timezone": select_timezone(),
                "business_type_options": business_type_options, "event_label": event_label}


def business_type_options() -> list[tuple[str, str]]:
    """The business types (R-3.2, R-6.2) with their names in the page's language."""
    return [("sales", _("Sales")), ("procurement", _("Procurement")), ("finance", _("Finance")),
            ("general", _("General"))]


def event_label(event_type: str) -> str:
    """An event log entry's type in the page's language (unknown types show as recorded)."""
    labels = {
        "instance_started": _("Case started"), "task_claimed": _("Task claimed"),
        "task_unclaimed": _("Task released"), "task_submitted": _("Form submitted"),
        "service_result": _("Service result"), "instance_cancelled": _("Case cancelled"),
        "task_ready": _("Task waiting"), "task_done": _("Step done"), "task_withdrawn": _("Task withdrawn"),
        "instance_completed": _("Case completed"), "business_key_set": _("Case number given"),
        "instance_migrated": _("Moved to another version"),
        "timer_fired": _("Timer fired"), "instance_failed": _("Case failed"),
        # engine/runtime/handover.py (a head's release, and a leave beginning, R-3.1)
        "task_released": _("Task released"), "task_reassigned": _("Task reassigned"),
        "task_delegated": _("Task delegated"),
    }
    return labels.get(event_type, event_type)
