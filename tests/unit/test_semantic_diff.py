"""Semantic diff between versions (issue 16 item 5): elements and their properties added, removed and changed,
read from the files; formatting never counts and layout-only changes count only when asked."""
from __future__ import annotations

import json
import re

from engine.config import PROJECT_ROOT
from engine.definitions.diff import ADDED, CHANGED, REMOVED, SAME, bundle_changes, file_diffs
from engine.definitions.service import collect_files

DEMO = "document_review.bpmn"
FORM = "draft.schema.json"
ARCHIVE = "archive_borrowing.bpmn"


def demo() -> dict[str, bytes]:
    return collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms")


def edited(files: dict[str, bytes], name: str, *replacements: tuple[str, str]) -> dict[str, bytes]:
    text = files[name].decode()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return files | {name: text.encode()}


def reformatted(files: dict[str, bytes]) -> dict[str, bytes]:
    """The same meaning in other text: tabs, attributes reordered, spaces in tags, another prefix, JSON re-indented."""
    text = re.sub(r"\n( +)", lambda m: "\n" + "\t" * (len(m.group(1)) // 2), files[DEMO].decode())
    before = text
    text = text.replace('<bpmn:userTask id="draft" name="Draft the document">',
                        '<bpmn:userTask   name="Draft the document"\n\t\tid="draft" >')
    text = text.replace("spiffworkflow:", "spiff:").replace("xmlns:spiffworkflow=", "xmlns:spiff=")
    assert text.count("spiff:") > 3 and 'id="draft" >' in text and before != text
    form = json.dumps(json.loads(files[FORM]), indent=7, ensure_ascii=True)
    return files | {DEMO: text.encode(), FORM: form.encode()}


def by_id(changes: list) -> dict:
    return {c.element_id: c for c in changes}


def test_reformatting_changes_no_element_and_no_file() -> None:
    old, new = demo(), reformatted(demo())
    assert new[DEMO] != old[DEMO] and new[FORM] != old[FORM]
    assert bundle_changes(old, new) == []
    assert {f.name: f.change for f in file_diffs(old, new)} == {name: SAME for name in old}


def test_layout_only_changes_count_only_when_asked() -> None:
    old = demo()
    moved = edited(old, DEMO, ('<dc:Bounds x="420" y="110" width="100" height="80" />',
                               '<dc:Bounds x="440" y="130" width="100" height="80" />'))
    assert bundle_changes(old, moved) == []
    assert next(f for f in file_diffs(old, moved) if f.name == DEMO).change == SAME
    draft = by_id(bundle_changes(old, moved, layout=True))["draft"]
    assert draft.change == CHANGED and draft.attributes == ["layout"]
    assert "420,110,100,80" in draft.details[0].old and "440,130,100,80" in draft.details[0].new
    lines = next(f for f in file_diffs(old, moved, layout=True) if f.name == DEMO).lines
    assert any(line.startswith("+") and 'x="440"' in line for line in lines)


def test_condition_script_form_and_routing_changes_are_named_with_old_and_new_values() -> None:
    old = demo()
    new = edited(old, DEMO,
                 ("<bpmn:conditionExpression>decision == 'approve'</bpmn:conditionExpression>",
                  "<bpmn:conditionExpression>decision in ('approve', 'accept')</bpmn:conditionExpression>"),
                 ("rounds = 0</bpmn:script>", "rounds = 1</bpmn:script>"),
                 ('<spiffworkflow:property name="formJsonSchemaFilename" value="review.schema.json" />',
                  '<spiffworkflow:property name="formJsonSchemaFilename" value="draft.schema.json" />'
                  "<spiffworkflow:property name=\"candidateGroups\" value=\"'clerk'\" />"),
                 ('<spiffworkflow:parameter id="title" type="str" value="title" />',
                  '<spiffworkflow:parameter id="title" type="str" value="title.upper()" />'),
                 ('name="approved" sourceRef="approved_gateway" targetRef="publish"',
                  'name="accepted" sourceRef="approved_gateway" targetRef="publish"'))
    changes = by_id(bundle_changes(old, new))
    assert set(changes) == {"flow_approved", "prepare", "review", "publish"}
    assert all(c.change == CHANGED and c.process == "document_review" for c in changes.values())
    details = {(c.element_id, d.name): (d.old, d.new) for c in changes.values() for d in c.details}
    assert details[("flow_approved", "condition")] == ("decision == 'approve'", "decision in ('approve', 'accept')")
    assert details[("flow_approved", "name")] == ("approved", "accepted")
    assert details[("prepare", "script")][1].endswith("rounds = 1")
    assert details[("review", "form")] == ("review.schema.json", "draft.schema.json")
    assert details[("review", "candidate groups")] == (None, "'clerk'")
    assert details[("publish", "parameter title")] == ("title", "title.upper()")
    assert changes["review"].attributes == ["candidate groups", "form"]


def test_timer_changes_and_removed_elements() -> None:
    old = collect_files(PROJECT_ROOT / "processes" / "archive", PROJECT_ROOT / "forms")
    new = edited(old, ARCHIVE, (">grant['remind_at']</bpmn:timeDate>", ">grant['due_at']</bpmn:timeDate>"))
    reminder = by_id(bundle_changes(old, new))["return_reminder"]
    assert reminder.attributes == ["timer"]
    assert "grant['remind_at']" in reminder.details[0].old and "grant['due_at']" in reminder.details[0].new
    backwards = by_id(bundle_changes(new, old))
    assert backwards["return_reminder"].change == CHANGED
    without_demo = {name: content for name, content in demo().items() if name != DEMO}
    gone = bundle_changes(demo(), without_demo)
    assert gone and all(c.change == REMOVED for c in gone) and "publish" in by_id(gone)
    assert all(c.change == ADDED for c in bundle_changes(without_demo, demo()))


def test_a_changed_form_shows_only_the_changed_values() -> None:
    old = demo()
    schema = json.loads(old[FORM])
    schema["properties"]["body"]["maxLength"] = 5000
    lines = next(f for f in file_diffs(old, old | {FORM: json.dumps(schema).encode()}) if f.name == FORM).lines
    changed = [line for line in lines if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ['-      "maxLength": 20000', '+      "maxLength": 5000']
