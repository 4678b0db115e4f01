"""Validation messages in the page's language: the validator's common sentences and the handlers' message keys."""
from __future__ import annotations

import re
from typing import Callable, Mapping

from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.errors import HandlerRefused, InvalidInput

from .i18n import bundle_text, group_label, language_tag

# jsonschema's wording of the checks forms use most; anything else is shown as the validator said it
# (a schema's own `errorMessage` text is passed through gettext, so catalogues may translate it).
_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^'.*' is a required property$|^'' should be non-empty$|^'' is too short$"),
     lambda m: _("This field is required.")),
    (re.compile(r"^.* is not one of \[.*\]$"), lambda m: _("Choose one of the offered values.")),
    (re.compile(r"^.* should be non-empty$|^.* is too short$"), lambda m: _("This is too short.")),
    (re.compile(r"^.* is too long$"), lambda m: _("This is too long.")),
    (re.compile(r"^.* is less than the minimum of (.+)$"), lambda m: _("The smallest allowed value is %(v)s.", v=m[1])),
    (re.compile(r"^.* is greater than the maximum of (.+)$"), lambda m: _("The largest allowed value is %(v)s.", v=m[1])),
    (re.compile(r"^.* is not a '(date|date-time|email)'$"), lambda m: _("Enter a valid %(kind)s.", kind={
        "date": _("date"), "date-time": _("date and time"), "email": _("e-mail address")}[m[1]])),
    (re.compile(r"^.* is not of type '(number|integer)'$"), lambda m: _("Enter a number.")),
    (re.compile(r"^.* does not match '.*'$"), lambda m: _("This does not have the expected form.")),
]

# The keys a handler names a refused field with (InvalidInput's field_errors, e.g. casework/leave.py for ),
# worded for the person who typed the value; its own sentence (the reason) is shown beside them.
HANDLER_MESSAGES = {
    "required": _l("This field is required."),
    "unknown": _l("Choose one of the offered values."),
    "not a date": _l("Enter a date as YYYY-MM-DD."),
    "not text": _l("Enter text, one entry per line."),
    "empty": _l("Enter at least one line."),
    "too many lines": _l("There are too many lines."),
    "no such user": _l("There is no active user of this name."),
    "that is you": _l("Choose someone other than yourself."),
    "before today": _l("Leave is requested in advance: this day is before today."),
    "before the first day": _l("The last day is before the first day."),
    "too far": _l("One request covers fewer days: choose an earlier last day."),
    "overlaps another request": _l("You already asked for leave on some of these days."),
    "above 0": _l("Enter an amount above 0."),
    "whole number": _l("Enter a whole number."),
    "over budget": _l("This exceeds the approved budget."),
    "in the future": _l("This date is in the future."),
    "before the review": _l("This date is before the review."),
    "not among the quotes": _l("Choose a supplier that gave a quote."),
    "required when the item does not match": _l("Describe what does not match the contract."),
    "before since": _l("The end is before the start."),
    "not shorter": _l("Choose a day within the approved leave, before its last day."),
    "email": _l("Enter a valid e-mail address."),
}
_HANDLER_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^line (\d+)$"), lambda m: _("Line %(line)s is not right.", line=m[1])),
    (re.compile(r"^at least (\d+)$"), lambda m: _("At least %(count)s are needed.", count=m[1])),
]


def friendly(message: str) -> str:
    if message in HANDLER_MESSAGES:
        return str(HANDLER_MESSAGES[message])
    for pattern, render in _PATTERNS + _HANDLER_PATTERNS:
        match = pattern.match(message)
        if match:
            return render(match)
    # A schema's own `errorMessage` is English in the form and translated by the bundle's catalogue.
    translated = bundle_text(message)
    return translated if translated != message else _(message)


def friendly_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {field: [friendly(m) for m in messages] for field, messages in errors.items()}


def in_language(template: str, params: Mapping[str, object]) -> str:
    """An engine sentence (an `InvalidInput`'s N_-marked template and its parameters, casework/ and handlers/) in
    the reader's language; a list parameter is joined the reader's way, each item translated where the catalogue
    has it (the names of checks, not what a person typed)."""
    if not template:
        return ""
    english = language_tag() == "en"
    separator = ", " if english else "、"
    values = {name: separator.join(_word(str(item)) for item in value) if isinstance(value, (list, tuple))
              else _NAMED[name](value) if name in _NAMED and isinstance(value, str) and not english else value
              for name, value in params.items()}
    return _(template, **values) if values else _(template)


# Parameters naming what the page has its own words for: a group by its title, a task by its name in the bundle's
# catalogue. An English page keeps the engine's sentence as logged (group codes included).
_NAMED: dict[str, Callable[[str], str]] = {"group": group_label, "title": bundle_text}


def _word(item: str) -> str:
    return get_translations().gettext(item) if item else item


def has_wording(template: str | None) -> bool:
    """Whether the page's language has this engine sentence (English always has it)."""
    return bool(template) and (language_tag() == "en" or get_translations().gettext(template) != template)


def refusal_reason(error: HandlerRefused) -> str | None:
    """The handler's own sentence in the reader's language, or None when it has no wording in it (a ValueError's
    English text, or a sentence the catalogue lacks)."""
    if error.reason_template is not None and has_wording(error.reason_template):
        return in_language(error.reason_template, error.reason_params)
    return error.reason if language_tag() == "en" else None


def invalid_input_message(error: InvalidInput) -> str:
    """What an API answer or error page says of refused input, in the requester's language where it can."""
    if isinstance(error, HandlerRefused):
        return _("the step after the input refused it, so nothing was saved (service task '%(task)s' of instance "
                 "%(instance)s, handler '%(handler)s'): %(reason)s", task=error.task_spec,
                 instance=error.instance_id, handler=error.operator, reason=refusal_reason(error) or error.reason)
    return in_language(error.template, error.params) or str(error)
