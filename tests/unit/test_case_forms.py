"""The case-chain forms keep the conventions of forms/README.md: an English label for the form, every
field and every choice (translated by the bundle's catalogues, tests/unit/test_bundle_translations.py);
UI schemas name only real fields; every user task has a form."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from lxml import etree

from engine.config import PROJECT_ROOT
from forms.schema import check_schema

FORMS = sorted((PROJECT_ROOT / "forms" / "case").glob("*.schema.json"))
UI_FORMS = sorted((PROJECT_ROOT / "forms" / "case").glob("*.uischema.json"))
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def fields(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    for name, child in node.get("properties", {}).items():
        yield f"{path}{name}", child
        if child.get("type") == "array" and isinstance(child.get("items"), dict):
            yield f"{path}{name}[]", child["items"]


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_case_form_is_labelled_in_english_for_every_field_and_choice(path: Path) -> None:
    schema = json.loads(path.read_text())
    assert check_schema(schema) == []
    assert schema["title"] and "x-title-zh" not in schema
    assert "R-" in schema["description"]  # the clause the task serves
    for name, node in fields(schema):
        assert node.get("title") and "x-title-zh" not in node, name
        if "enum" in node:
            assert len(node["x-enum-titles"]) == len(node["enum"]) and "x-enum-titles-zh" not in node, name


@pytest.mark.parametrize("path", UI_FORMS, ids=lambda p: p.name)
def test_case_ui_schema_names_only_fields_of_its_form(path: Path) -> None:
    ui = json.loads(path.read_text())
    schema = json.loads(path.with_name(path.name.replace(".uischema.json", ".schema.json")).read_text())
    names = set(schema["properties"])
    assert set(ui["ui:order"]) == names
    assert set(ui) - {"ui:order"} <= names


def test_every_case_user_task_names_an_existing_form() -> None:
    existing = {p.name for p in FORMS} | {p.name for p in UI_FORMS}
    for bpmn in sorted((PROJECT_ROOT / "processes" / "case").glob("*.bpmn")):
        for task in etree.parse(str(bpmn)).iter(f"{{{BPMN}}}userTask"):
            props = {p.get("name"): p.get("value") for p in task.iter(f"{{{SPIFF}}}property")}
            assert props.get("formJsonSchemaFilename") in existing, task.get("id")
            assert props.get("formUiSchemaFilename", next(iter(existing))) in existing, task.get("id")
