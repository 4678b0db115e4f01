"""Validation messages in the page's language: the validator's common English sentences, translated."""
from __future__ import annotations

import re
from typing import Callable

from flask_babel import gettext as _

from .i18n import bundle_text

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


def friendly(message: str) -> str:
    for pattern, render in _PATTERNS:
        match = pattern.match(message)
        if match:
            return render(match)
    # A schema's own `errorMessage` is English in the form and translated by the bundle's catalogue.
    translated = bundle_text(message)
    return translated if translated != message else _(message)


def friendly_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {field: [friendly(m) for m in messages] for field, messages in errors.items()}
