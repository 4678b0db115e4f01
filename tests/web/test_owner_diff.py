"""Diff between two versions of a process: BPMN elements added, removed, changed, and a text diff per file."""
from __future__ import annotations

from engine.bootstrap import Casedesk
from engine.definitions.catalog import DefinitionCatalog
from engine.config import PROJECT_ROOT
from engine.definitions.diff import diff_versions
from engine.definitions.service import collect_files

DEMO = "document_review.bpmn"


def demo_with_stamp_task() -> dict[str, bytes]:
    """The demo process with a script task `stamp` added before the end and the end event renamed."""
    files = collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms")
    text = files[DEMO].decode()
    text = text.replace('<bpmn:incoming>flow_publish_end</bpmn:incoming>',
                        '<bpmn:incoming>flow_stamp_end</bpmn:incoming>')
    text = text.replace('<bpmn:sequenceFlow id="flow_publish_end" sourceRef="publish" targetRef="end" />',
                        '<bpmn:sequenceFlow id="flow_publish_end" sourceRef="publish" targetRef="stamp" />\n'
                        '    <bpmn:scriptTask id="stamp" name="Stamp 蓋章"><bpmn:incoming>flow_publish_end'
                        '</bpmn:incoming><bpmn:outgoing>flow_stamp_end</bpmn:outgoing>'
                        '<bpmn:script>stamped = True</bpmn:script></bpmn:scriptTask>\n'
                        '    <bpmn:sequenceFlow id="flow_stamp_end" sourceRef="stamp" targetRef="end" />')
    text = text.replace('name="Document published"', 'name="Published 已發布"')
    return files | {DEMO: text.encode()}


def test_diff_names_added_and_changed_elements_and_shows_each_file(app: Casedesk) -> None:
    app.definitions.deploy(demo_with_stamp_task(), "owen")
    diff = diff_versions(DefinitionCatalog(app.db), app.definitions, "document_review", 1, 2)
    changes = {(e.element_id, e.change) for e in diff.elements}
    assert ("stamp", "added") in changes
    assert ("end", "changed") in changes and ("publish", "changed") in changes
    assert ("draft", "changed") not in changes and not any(c == "removed" for _, c in changes)
    end = next(e for e in diff.elements if e.element_id == "end")
    assert end.element_name == "Published 已發布" and end.attributes == ["flows", "name"]
    files = {f.name: f for f in diff.files}
    assert files["draft.schema.json"].change == "same" and files["draft.schema.json"].lines == []
    assert files[DEMO].change == "changed"
    assert '+    <bpmn:endEvent id="end" name="Published 已發布">' in files[DEMO].lines


def test_diff_backwards_reports_the_element_as_removed(app: Casedesk) -> None:
    app.definitions.deploy(demo_with_stamp_task(), "owen")
    diff = diff_versions(DefinitionCatalog(app.db), app.definitions, "document_review", 2, 1)
    assert ("stamp", "removed") in {(e.element_id, e.change) for e in diff.elements}
