"""The names in other languages the modeler's panel sends along with a diagram, checked field by field."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from engine.definitions.translations import (LOCALES, catalogue_name, diagram_messages, edited_catalogues,
                                             element_names, normalized)
from engine.definitions.xmlsafe import UnsafeXml
from engine.errors import DefinitionInvalid, Problem

MAX_CHARS = 200  # a name in another language, as long as a task title may sensibly be
NOT_PLAIN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029<>]")  # line breaks, control characters and markup

Names = dict[str, dict[str, str]]


def posted_names(raw: str | None) -> Names:
    """locale -> element id -> text, as the page posts it (a JSON object in the `names` field); a malformed
    field is a 400: the page always sends the shape, so only a broken client sends another."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        raise BadRequest(_("The names in other languages were not sent as JSON.")) from None
    if not isinstance(value, dict) or not set(value) <= set(LOCALES) or not all(
            isinstance(by_id, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in by_id.items())
            for by_id in value.values()):
        raise BadRequest(_("The names in other languages are an object of languages (%(locales)s), each mapping "
                           "element ids to texts.", locales=", ".join(LOCALES)))
    return {locale: dict(by_id) for locale, by_id in value.items()}


def field(locale: str, element: str) -> str:
    """How the page and the report name one field of the panel."""
    return f"{locale}:{element}"


def name_errors(names: Mapping[str, Mapping[str, str]], diagram: str, edited: str) -> dict[str, str]:
    """Field -> why its text is refused: not plain text, too long, no such named element, or a different text
    for another element of the same English name (they share one catalogue entry). Empty when all are fine;
    a diagram that is not XML is left for the deploy to report."""
    try:
        named = element_names(edited.encode("utf-8"), diagram)
    except UnsafeXml:
        return {}
    errors: dict[str, str] = {}
    for locale, by_id in names.items():
        shared: dict[str, dict[str, str]] = {}
        for element, text in by_id.items():
            if element not in named:
                errors[field(locale, element)] = _("The diagram has no named element with the id %(id)s.", id=element)
            elif NOT_PLAIN.search(text):
                errors[field(locale, element)] = _("Plain text only: no line breaks, control characters, < or >.")
            elif len(text.strip()) > MAX_CHARS:
                errors[field(locale, element)] = _("At most %(max)s characters.", max=MAX_CHARS)
            else:
                shared.setdefault(normalized(named[element]), {})[element] = text.strip()
        for english, texts in shared.items():
            if len(set(texts.values())) > 1:
                for element in texts:
                    errors[field(locale, element)] = _(
                        "Every element named “%(name)s” shows the same translation: give them the same text "
                        "or different English names.", name=english)
    return errors


def error_problems(errors: Mapping[str, str], diagram: str, edited: str) -> list[Problem]:
    """The refused fields as lines of the modeler's report, each naming its element (outlined on the diagram)."""
    named = element_names(edited.encode("utf-8"), diagram)
    problems = []
    for key, message in sorted(errors.items()):
        locale, element = key.split(":", 1)
        problems.append(Problem(catalogue_name(diagram, locale), element, named.get(element, ""), message))
    return problems


def with_names(bundle: dict[str, bytes], files: dict[str, bytes], diagram: str, names: Names) -> dict[str, bytes]:
    """The bundle with `diagram`'s catalogues brought up to date with the edit (`names` checked already)."""
    try:
        return {**bundle, **edited_catalogues(files, diagram, bundle[diagram], names)}
    except ValueError as exc:  # an unreadable catalogue the owner's names would overwrite
        raise DefinitionInvalid([Problem(diagram, "", "", str(exc))]) from None
    except UnsafeXml:
        return bundle  # not a diagram: the deploy reports why


def panel_translations(files: Mapping[str, bytes], diagram: str, typed: Names | None,
                       refused: Mapping[str, str] | None) -> dict[str, Any]:
    """What the panel's names group starts from: each language's catalogue of the diagram as stored, and after
    a refused save every text as typed with why each refused field was refused."""
    return {"locales": list(LOCALES), "catalogue": diagram_messages(files, diagram), "max": MAX_CHARS,
            "typed": typed, "errors": dict(refused or {})}
