"""Choices drawn from data (`x-choices-from` in a form field): one function per named source, the same
list offered on the page and checked when the form comes back."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from flask_babel import gettext as _

from casework.borrowable import borrowable_archives
from engine.access import Actor
from forms.fields import Option
from forms.schema import CHOICES_FROM_KEYWORD

from .auth import casedesk

ChoiceSource = Callable[[Actor], list[Option]]


def archive_numbers(actor: Actor) -> list[Option]:
    """The archives the user may apply to borrow, from the register (R-6.4)."""
    app = casedesk()
    titles = {"sales": _("Sales archives"), "procurement": _("Procurement archives"),
              "finance": _("Finance archives"), "general": _("General archives")}
    return [Option(number, f"{number} · {titles.get(archive_class, archive_class)}")
            for number, archive_class in borrowable_archives(app.db, actor.username, app.clock.now())]


# One function per name forms may use (forms.schema.CHOICE_SOURCES, checked at deploy); a test keeps both equal.
SOURCES: dict[str, ChoiceSource] = {"archive_numbers": archive_numbers}


def choices_for(schema: Mapping[str, Any], actor: Actor) -> dict[str, list[Option]]:
    """The options of every source the form's fields name, for this user."""
    names = {node.get(CHOICES_FROM_KEYWORD) for node in (schema.get("properties") or {}).values() if isinstance(node, dict)}
    return {name: SOURCES[name](actor) for name in names if name in SOURCES}


def refused_choices(schema: Mapping[str, Any], data: Mapping[str, Any],
                    choices: Mapping[str, list[Option]]) -> dict[str, list[str]]:
    """A message per field whose value is not among the options its source offers this user."""
    problems: dict[str, list[str]] = {}
    for name, node in (schema.get("properties") or {}).items():
        source = node.get(CHOICES_FROM_KEYWORD) if isinstance(node, dict) else None
        value = data.get(name)
        if source and value not in (None, "") and str(value) not in {o.value for o in choices.get(source, [])}:
            problems[name] = [_("Choose one of the offered values.")]
    return problems
