"""Every sentence casework/ and handlers/ refuse input with (and say a record is missing or a request lost a race
with), and every refusal, missing record and lost race of the engine's own (a task no longer ready, an instance
already completed, a group the actor is not in), is a template in the catalogue, translated into both Chinese scripts
with the same parameters, so a refusal reads in the page's language (task page, error page, API)."""
from __future__ import annotations

import ast
import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from engine.config import PROJECT_ROOT

SOURCES = ("casework", "handlers")
# The engine's own refusals: what the actor may not do, what is missing, what lost a race, what input it refuses.
ENGINE_REFUSALS = ("NotFound", "Conflict", "Forbidden", "InvalidInput")
LOCALES = ("zh_Hans", "zh_Hant")
PARAMETER = re.compile(r"%\((\w+)\)s")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _invalid_input_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for source in SOURCES:
        for path in sorted((PROJECT_ROOT / source).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in (
                        "InvalidInput", "HandlerRefused", "RefusedValue", "UnknownName", "RefusedType", "NotFound",
                        "Conflict", "Forbidden"):
                    calls.append((f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}", node))
    return calls


def _engine_refusals() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted((PROJECT_ROOT / "engine").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ENGINE_REFUSALS:
                calls.append((f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}", node))
    return calls


def _is_template(call: ast.Call) -> bool:
    return (bool(call.args) and isinstance(call.args[0], ast.Call) and getattr(call.args[0].func, "id", None) == "N_"
            and len(call.args[0].args) == 1 and isinstance(call.args[0].args[0], ast.Constant)
            and isinstance(call.args[0].args[0].value, str))


def _marked() -> dict[str, str]:
    """msgid -> where, of every N_ sentence in casework/ and handlers/, as `make messages` extracts them."""
    found: dict[str, str] = {}
    for source in (*SOURCES, "engine", "web"):
        for filename, line, message, _comments, _context in extract_from_dir(
                PROJECT_ROOT / source, method_map=[("**.py", "python")], keywords={"N_": None}):
            found.setdefault(str(message), f"{source}/{filename}:{line}")
    return found


def _catalogue(locale: str) -> Catalog:
    with open(PROJECT_ROOT / "web" / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po)


def test_every_refusal_is_an_n_marked_template_not_a_formatted_string() -> None:
    calls = _invalid_input_calls()
    assert len(calls) > 90  # the refusals of leave, trade, archive, digest, training, quality and risk casework
    unmarked = [where for where, call in calls if not _is_template(call)]
    assert unmarked == [], "write these as InvalidInput(N_(\"… %(name)s …\"), fields, name=value)"


def test_every_engine_refusal_missing_record_and_lost_race_is_an_n_marked_template() -> None:
    """The engine's Forbidden, NotFound, Conflict and InvalidInput reach people on the task page, the error page and
    the API: an f-string's English would be all a Chinese page could show."""
    calls = _engine_refusals()
    assert len(calls) > 120  # runtime, handover, definitions, history, incidents, messaging, users, tokens
    unmarked = [where for where, call in calls if not _is_template(call)]
    assert unmarked == [], "write these as Conflict(N_(\"… %(name)s …\"), name=value)"


def test_no_web_refusal_is_an_english_literal_or_f_string() -> None:
    """The web layer refuses with the engine's N_ templates or with a sentence already in the request's language
    (`_()`): an English literal or f-string would be all a Chinese page or API client reads."""
    english = []
    for path in sorted((PROJECT_ROOT / "web").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ENGINE_REFUSALS and node.args
                    and (isinstance(node.args[0], ast.JoinedStr) or (isinstance(node.args[0], ast.Constant)
                                                                      and isinstance(node.args[0].value, str)))):
                english.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert english == []


def test_no_handler_or_casework_refuses_with_a_bare_value_lookup_or_type_error() -> None:
    """A ValueError's, LookupError's or TypeError's English text cannot be translated: casework and the handlers
    raise RefusedValue, UnknownName and RefusedType instead (still a ValueError, a LookupError and a TypeError to
    whoever catches one)."""
    bare = []
    for source in SOURCES:
        for path in sorted((PROJECT_ROOT / source).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                        and getattr(node.exc.func, "id", None) in ("ValueError", "LookupError", "TypeError")):
                    bare.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert bare == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_refusal_sentence_is_translated_with_the_same_parameters(locale: str) -> None:
    marked = _marked()
    assert "there is no active user '%(cover)s' to cover your work" in marked
    assert "%(actor)s is not in group '%(group)s' of task '%(title)s'" in marked
    catalogue = _catalogue(locale)
    missing, wrong = [], []
    for msgid, where in marked.items():
        entry = catalogue.get(msgid)
        if entry is None or not entry.string or entry.fuzzy or not HAN.search(str(entry.string)):
            missing.append(f"{where}: {msgid}")
        elif set(PARAMETER.findall(msgid)) != set(PARAMETER.findall(str(entry.string))):
            wrong.append(f"{where}: {msgid} -> {entry.string}")
    assert missing == [], f"untranslated in {locale} (add them to messages.po): {missing}"
    assert wrong == [], f"parameters differ in {locale}: {wrong}"
