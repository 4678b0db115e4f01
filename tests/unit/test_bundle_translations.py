"""Every bundle under processes/ carries its translations (engine/definitions/translations.py): the
diagrams and forms hold English only, and each diagram's zh-Hans and zh-Hant catalogues translate every
element name and every form title, enum label and error message its tasks show (issue 13, item 4)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from lxml import etree

from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.definitions.translations import LOCALES, catalogue_name, missing_translations, read_catalogue

DIAGRAMS = sorted((PROJECT_ROOT / "processes").rglob("*.bpmn"))
FORMS = {p.name: p for p in (PROJECT_ROOT / "forms").rglob("*.json")}
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def form_texts(node: Any) -> Iterator[str]:
    """The English texts a form shows: titles, enum labels and error messages."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "title" and isinstance(value, str):
                yield value
            elif key == "x-enum-titles":
                yield from (value.values() if isinstance(value, dict) else value)
            elif key == "errorMessage":
                yield from _strings(value)
            else:
                yield from form_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from form_texts(item)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def diagram_texts(path: Path) -> Iterator[str]:
    tree = etree.parse(str(path))
    for element in tree.iter():
        name = element.get("name") if isinstance(element.tag, str) and element.tag.startswith("{http://www.omg.org/spec/BPMN") else None
        if name and not element.tag.endswith("}lane"):  # lane names are group codes
            yield name
    for prop in tree.iter(f"{{{SPIFF}}}property"):
        if prop.get("name") in ("formJsonSchemaFilename", "formUiSchemaFilename") and prop.get("value") in FORMS:
            yield from form_texts(json.loads(FORMS[prop.get("value")].read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
@pytest.mark.parametrize("locale", LOCALES)
def test_diagram_catalogue_translates_every_name_and_form_text(path: Path, locale: str) -> None:
    locale_name, messages = read_catalogue(path.with_name(catalogue_name(path.name, locale)).read_bytes())
    assert locale_name == locale
    texts = set(diagram_texts(path))
    assert texts, path.name
    assert not [t for t in texts if CJK.search(t)], "diagrams and forms hold English only"
    assert sorted(t for t in texts if t not in messages) == []
    assert all(CJK.search(v) for v in messages.values())


def test_processes_folder_deploys_with_no_missing_translation() -> None:
    assert missing_translations(collect_files(PROJECT_ROOT / "processes", PROJECT_ROOT / "forms")) == []


def test_a_diagram_without_catalogues_is_warned_about_not_refused() -> None:
    files = {"lonely.bpmn": b"<bpmn/>", "lonely.zh-Hans.i18n.json": b'{"locale": "zh-Hans", "messages": 3}'}
    warnings = missing_translations(files)
    assert [(w.diagram, w.locale) for w in warnings] == [("lonely.bpmn", "zh-Hans"), ("lonely.bpmn", "zh-Hant")]
    assert "messages" in warnings[0].reason and "no zh-Hant translations" in str(warnings[1])


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "processes").rglob("*.dmn")), ids=lambda p: p.name)
def test_decision_tables_hold_english_only(path: Path) -> None:
    # The owner's decision-table editor shows names, labels and descriptions as stored: one language.
    tree = etree.parse(str(path))
    texts = [v for e in tree.iter() for k, v in e.attrib.items() if k in ("name", "label")]
    texts += [e.text or "" for e in tree.iter() if isinstance(e.tag, str) and e.tag.endswith("description")]
    assert not [t for t in texts if CJK.search(t)]


def _lanes_and_processes(path: Path) -> tuple[set[str], set[str]]:
    tree = etree.parse(str(path))
    names = lambda kind: {e.get("name") for e in tree.iter(f"{{http://www.omg.org/spec/BPMN/20100524/MODEL}}{kind}")
                          if e.get("name")}
    return names("lane"), names("process")


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
@pytest.mark.parametrize("locale", LOCALES)
def test_a_lane_naming_no_group_reads_in_the_pages_language(path: Path, locale: str) -> None:
    """A lane names a group by its code and reads as the group's title; a lane whose group the process finds
    when it runs (the requester's superior, the case's department) has no title: its diagram's catalogue says it."""
    from casework.demo_org import GROUP_TITLES
    _locale, messages = read_catalogue(path.with_name(catalogue_name(path.name, locale)).read_bytes())
    lanes, _processes = _lanes_and_processes(path)
    assert sorted(lane for lane in lanes - set(GROUP_TITLES) if lane not in messages) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_a_process_name_means_the_same_in_every_catalogue_that_has_it(locale: str) -> None:
    """The pages translate a name through every bundle's catalogue at once: a process named like a department or
    a choice in another bundle would read as that (one English text, one translation)."""
    catalogues = {path: read_catalogue(path.with_name(catalogue_name(path.name, locale)).read_bytes())[1]
                  for path in DIAGRAMS}
    clashes = []
    for path, messages in catalogues.items():
        for name in _lanes_and_processes(path)[1]:
            elsewhere = {other.name: said[name] for other, said in catalogues.items()
                         if name in said and said[name] != messages[name]}
            if elsewhere:
                clashes.append(f"{path.name}: {name} -> {messages[name]}, elsewhere {elsewhere}")
    assert clashes == []
