"""Extra main-navigation entries that blueprints add (e.g. the process owners' pages), shown by policy."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, cast

from flask import Blueprint, Flask, current_app, url_for
from sqlalchemy.exc import SQLAlchemyError

from casework.digest import TaskCounts
from engine import access
from engine.access import Actor


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Callable[[], str]  # called at render time, so it follows the page's language
    allowed: Callable[[Actor], bool]


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    blueprint: str


def add_nav(app: Flask, endpoint: str, label: Callable[[], str], allowed: Callable[[Actor], bool]) -> None:
    app.extensions.setdefault("casedesk_nav", []).append(NavItem(endpoint, label, allowed))


def nav_entry(blueprint: Blueprint, endpoint: str, label: Callable[[], str], allowed: Callable[[Actor], bool]) -> None:
    """A blueprint's page in the main navigation of every app that registers it, for those `allowed` lets in."""
    blueprint.record_once(lambda state: add_nav(cast(Flask, state.app), endpoint, label, allowed))


def extra_nav(actor: Actor) -> list[NavLink]:
    items: list[NavItem] = current_app.extensions.get("casedesk_nav", [])
    return [NavLink(url_for(i.endpoint), i.label(), i.endpoint.split(".")[0]) for i in items if i.allowed(actor)]


def inbox_counts(actor: Actor) -> TaskCounts:
    """The Inbox entry's numbers: my ready tasks and the overdue ones (one indexed count; staff only)."""
    if not actor.staff_groups:
        return TaskCounts(0, 0)
    casedesk = current_app.extensions["casedesk"]
    try:
        return cast(TaskCounts, casedesk.digest.counts(actor.username, actor.staff_groups, casedesk.clock.now()))
    except SQLAlchemyError:
        # The error page for a busy or restarting database draws this navigation too: it must still render.
        current_app.logger.warning("inbox counts unavailable", exc_info=True)
        return TaskCounts(0, 0)


def init_app(app: Flask) -> None:
    @app.context_processor
    def navigation() -> dict[str, Any]:
        return {"policy": access, "extra_nav": extra_nav, "inbox_counts": inbox_counts}
