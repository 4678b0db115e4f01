"""Translations a process bundle carries: one catalogue per diagram and language, beside the diagram.

`processes/case/consultation.bpmn` is translated by `consultation.zh-Hans.i18n.json` and
`consultation.zh-Hant.i18n.json` in the same folder: `{"locale": "zh-Hans", "messages": {English: text}}`.
The English source strings are the diagram's element names and documentation and the titles,
enum labels and error messages of the forms its tasks use. A catalogue is deployed and stored with
every version whose diagrams it translates, so a version keeps the words it was deployed with.
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
