"""Translations a process bundle carries: one catalogue per diagram and language, beside the diagram.

`processes/case/consultation.bpmn` is translated by `consultation.zh-Hans.i18n.json` and
`consultation.zh-Hant.i18n.json` in the same folder: `{"locale": "zh-Hans", "messages": {English: text}}`.
The English source strings are the diagram's element names and documentation and the titles,
enum labels and error messages of the forms its tasks use. A catalogue is deployed and stored with
every version whose diagrams it translates, so a version keeps the words it was deployed with.
The modeler's panel edits the element names of a catalogue (`edited_catalogues`); the rest is edited as a file.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, select

from lxml import etree

from engine.definitions.xmlsafe import parse_xml
from engine.models import DefinitionFile, ProcessDefinition
from engine.persistence import Database

LOCALES = ("zh-Hans", "zh-Hant")
BPMN_MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SUFFIX = ".i18n.json"
DIAGRAM_SUFFIXES = (".bpmn",)
# How long a worker trusts its merged catalogues before asking whether a deploy added any.
RECHECK_SECONDS = 2.0


def catalogue_name(diagram: str, locale: str) -> str:
    """The catalogue file (a bundle key, by base name) that translates `diagram` into `locale`."""
    return f"{PurePosixPath(diagram).stem}.{locale}{SUFFIX}"


def is_catalogue(name: str) -> bool:
    return name.endswith(SUFFIX)


def catalogue_files(names: Iterable[str], files: Collection[str]) -> set[str]:
    """The catalogues present in `files` for the diagrams among `names`."""
    return {catalogue_name(name, locale) for name in names if name.endswith(DIAGRAM_SUFFIXES)
            for locale in LOCALES if catalogue_name(name, locale) in files}


def normalized(text: str) -> str:
    """How a catalogue keys a text that wraps over lines in a diagram: single spaces."""
    return " ".join(text.split())


def lookup(messages: Mapping[str, str], text: str) -> str:
    """The translation of `text` in one catalogue's messages, or "" when it has none."""
    return messages.get(text) or messages.get(normalized(text)) or ""


def read_catalogue(content: bytes) -> tuple[str, dict[str, str]]:
    """(locale, English -> translation) of a catalogue file; ValueError when it is not one."""
    try:
        value = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a JSON catalogue: {exc}") from None
    if not isinstance(value, dict) or value.get("locale") not in LOCALES or not isinstance(value.get("messages"), dict):
        raise ValueError(f"a catalogue is an object with \"locale\" (one of {', '.join(LOCALES)}) and \"messages\"")
    messages = value["messages"]
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in messages.items()):
        raise ValueError("every message is an English text mapped to its translation")
    return str(value["locale"]), dict(messages)


@dataclass(frozen=True)
class TranslationWarning:
    """A diagram shown in English in `locale`: its catalogue is missing (`reason` empty) or unreadable."""

    diagram: str
    locale: str
    catalogue: str
    reason: str = ""

    def __str__(self) -> str:
        if self.reason:
            return f"{self.diagram}: {self.catalogue}: {self.reason}; English is shown instead"
        return f"{self.diagram}: no {self.locale} translations ({self.catalogue}); English is shown instead"


def missing_translations(files: Mapping[str, bytes]) -> list[TranslationWarning]:
    """Every diagram whose catalogue is missing or unreadable in a language. A warning, never a refusal:
    the pages show the English source instead."""
    warnings = []
    for name in sorted(files):
        if not name.endswith(DIAGRAM_SUFFIXES):
            continue
        for locale in LOCALES:
            catalogue = catalogue_name(name, locale)
            if catalogue not in files:
                warnings.append(TranslationWarning(name, locale, catalogue))
                continue
            try:
                read_catalogue(files[catalogue])
            except ValueError as exc:
                warnings.append(TranslationWarning(name, locale, catalogue, str(exc)))
    return warnings


class BundleMessages:
    """Every stored catalogue merged per language, newer versions over older: English text -> translation.
    Versions never change once stored, so the merge is rebuilt only when a deploy stored another catalogue."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._stamp: tuple[Any, ...] | None = None
        self._checked = 0.0
        self._messages: dict[str, dict[str, str]] = {}
        self._process_names: dict[str, str] = {}

    def translate(self, text: str, locale: str) -> str:
        if locale not in LOCALES or not text:
            return text
        messages = self.messages(locale)
        # Documentation wraps over lines in a diagram; catalogues key it with single spaces.
        return messages.get(text) or messages.get(" ".join(text.split())) or text

    def process_name(self, key: str, locale: str) -> str:
        """A process's display name (its newest version's) in `locale`; the key only when it was never deployed."""
        if time.monotonic() - self._checked > RECHECK_SECONDS:
            self._refresh()
        return self.translate(self._process_names.get(key) or key, locale)

    def messages(self, locale: str) -> dict[str, str]:
        if time.monotonic() - self._checked > RECHECK_SECONDS:
            self._refresh()
        return self._messages.get(locale, {})

    def _refresh(self) -> None:
        stored = DefinitionFile.name.like(f"%{SUFFIX}")
        with self.db.unit_of_work(write=False) as session:
            stamp = tuple(session.execute(select(func.count(DefinitionFile.id), func.max(DefinitionFile.id))
                                          .where(stored)).one())
            stamp += (session.scalar(select(func.max(ProcessDefinition.id))),)
            if stamp != self._stamp:
                names = session.execute(select(ProcessDefinition.key, ProcessDefinition.name)
                                        .order_by(ProcessDefinition.key, ProcessDefinition.version))
                self._process_names = {key: name for key, name in names if name}
                merged: dict[str, dict[str, str]] = {locale: {} for locale in LOCALES}
                rows = session.execute(select(DefinitionFile.content).where(stored).order_by(DefinitionFile.id))
                for (content,) in rows:
                    try:
                        locale, messages = read_catalogue(content)
                    except ValueError:
                        continue  # reported at deploy; an unreadable catalogue only means English
                    merged[locale].update(messages)
                self._messages, self._stamp = merged, stamp
        self._checked = time.monotonic()


def translated_diagram(content: bytes, translate: Callable[[str], str], filename: str = "diagram.bpmn") -> bytes:
    """A BPMN file with every element's name (tasks, events, gateways, flows, lanes, pools) and every text
    annotation put through `translate`, for viewers that draw a diagram on a page in another language.
    Ids and everything the engine reads stay as they are; the stored version is never changed."""
    tree = parse_xml(content, filename)
    for element in tree.iter(f"{{{BPMN_MODEL}}}*"):
        name = element.get("name")
        if name:
            element.set("name", translate(name))
        if etree.QName(element).localname == "text" and element.text:
            element.text = translate(element.text)
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


def element_names(content: bytes, filename: str = "diagram.bpmn") -> dict[str, str]:
    """id -> name of every named BPMN element of a diagram: the process, pools, lanes, tasks, events, gateways,
    flows, and the messages, signals and errors they refer to."""
    tree = parse_xml(content, filename)
    return {str(e.get("id")): str(e.get("name")) for e in tree.iter(f"{{{BPMN_MODEL}}}*")
            if e.get("id") and e.get("name")}


def diagram_messages(files: Mapping[str, bytes], diagram: str) -> dict[str, dict[str, str]]:
    """locale -> English -> translation of `diagram`'s catalogues (empty for a missing or unreadable one)."""
    found: dict[str, dict[str, str]] = {}
    for locale in LOCALES:
        try:
            found[locale] = read_catalogue(files[catalogue_name(diagram, locale)])[1]
        except (KeyError, ValueError):
            found[locale] = {}
    return found


def edited_catalogues(files: Mapping[str, bytes], diagram: str, edited: bytes,
                      names: Mapping[str, Mapping[str, str]]) -> dict[str, bytes]:
    """The catalogues of `diagram` that change when the modeler saves `edited` over the version's `files`,
    by file name. `names` is locale -> element id -> the translation the owner gave that element's name
    ("" for none), already checked as plain text; an element it does not mention keeps its translation.
    An element whose English name changed takes its translation to the new name (unless that name has an entry
    already, which it then shares), and the old entry goes
    unless another element, a documentation or a form of the bundle still shows that text; every other
    entry stays as it was. ValueError when a catalogue to change is not readable."""
    old = element_names(files[diagram], diagram) if diagram in files else {}
    new = element_names(edited, diagram)
    still_shown = {normalized(text) for text in (*new.values(), *_diagram_texts(edited, diagram), *_form_texts(files))}
    changed: dict[str, bytes] = {}
    for locale in LOCALES:
        catalogue = catalogue_name(diagram, locale)
        given = names.get(locale, {})
        try:
            messages = read_catalogue(files[catalogue])[1] if catalogue in files else {}
        except ValueError as exc:
            if any(text.strip() for text in given.values()):
                raise ValueError(f"{catalogue}: {exc}") from None
            continue
        result = dict(messages)
        renamed: dict[str, str] = {}
        for element, name in old.items():
            if normalized(new.get(element, "")) == normalized(name):
                continue
            renamed[element] = lookup(messages, name)
            if normalized(name) not in still_shown:
                result.pop(name, None)
                result.pop(normalized(name), None)
        for name, text in _decided(new, old, given, renamed, messages).items():
            if text:
                result[name if name in result else normalized(name)] = text
            else:
                result.pop(name, None)
                result.pop(normalized(name), None)
        if result != messages:
            changed[catalogue] = (json.dumps({"locale": locale, "messages": dict(sorted(result.items()))},
                                             ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return changed


def _decided(new: Mapping[str, str], old: Mapping[str, str], given: Mapping[str, str], renamed: Mapping[str, str],
             messages: Mapping[str, str]) -> dict[str, str]:
    """English name -> translation for every named element: what the owner gave wins, then what an element
    that kept its name has, then what a renamed element brings along (elements sharing a name share an entry)."""
    ranked: dict[str, tuple[int, str, str]] = {}
    for element, name in sorted(new.items()):
        if element in given:
            rank, text = 0, given[element].strip()
        elif element in renamed:  # a name that has an entry already keeps it: the element joins it
            rank, text = 2, lookup(messages, name) or renamed[element]
        else:
            rank, text = 1, lookup(messages, name)
        key = normalized(name)
        if key not in ranked or rank < ranked[key][0]:
            ranked[key] = (rank, name, text)
    return {name: text for _rank, name, text in ranked.values()}


def _diagram_texts(content: bytes, filename: str) -> list[str]:
    """Documentation and text annotations: texts a catalogue translates that are not element names."""
    tree = parse_xml(content, filename)
    return [e.text for e in tree.iter(f"{{{BPMN_MODEL}}}documentation", f"{{{BPMN_MODEL}}}text") if e.text]


def _form_texts(files: Mapping[str, bytes]) -> list[str]:
    """Every string value of the bundle's forms: a catalogue entry one of them shows is never dropped."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            texts.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for name, content in files.items():
        if name.endswith(".json") and not is_catalogue(name):
            try:
                walk(json.loads(content))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
    return texts
