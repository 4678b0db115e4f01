"""tools/bpmn_layout.py: a diagram without DI gets shapes, lanes and edges bpmn-js can display."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lxml import etree

from engine.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "tools"))
import bpmn_layout  # noqa: E402

NS = bpmn_layout.NS
CASE_DIAGRAMS = sorted((PROJECT_ROOT / "processes" / "case").glob("*.bpmn"))
FLOW_NODE_TAGS = ("startEvent", "endEvent", "boundaryEvent", "intermediateCatchEvent", "intermediateThrowEvent",
                  "userTask", "serviceTask", "scriptTask", "businessRuleTask", "manualTask", "task",
                  "callActivity", "subProcess", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
                  "eventBasedGateway")


def bounds(tree: etree._ElementTree) -> dict[str, tuple[float, float, float, float]]:
    return {shape.get("bpmnElement"): tuple(float(shape.find("dc:Bounds", NS).get(k))  # type: ignore[misc]
                                            for k in ("x", "y", "width", "height"))
            for shape in tree.iterfind(".//bpmndi:BPMNShape", NS)}


def check_diagram(tree: etree._ElementTree) -> None:
    """Every flow node, lane and flow drawn; nodes inside their lane; no two nodes overlap;
    every edge starts on its source and ends on its target."""
    boxes = bounds(tree)
    nodes = [e for tag in FLOW_NODE_TAGS for e in tree.iterfind(f".//bpmn:{tag}", NS)]
    for node in nodes:
        assert node.get("id") in boxes, f"{node.get('id')} has no shape"
    for lane in tree.iterfind(".//bpmn:lane", NS):
        lx, ly, lw, lh = boxes[lane.get("id")]
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            x, y, w, h = boxes[ref.text]
            assert lx <= x and x + w <= lx + lw and ly <= y + h / 2 <= ly + lh, f"{ref.text} outside {lane.get('name')}"
    inner = [n.get("id") for n in nodes if etree.QName(n).localname != "boundaryEvent"]
    for i, a in enumerate(inner):
        for b in inner[i + 1:]:
            ax, ay, aw, ah = boxes[a]
            bx, by, bw, bh = boxes[b]
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, f"{a} overlaps {b}"
    edges = {e.get("bpmnElement"): [(float(p.get("x")), float(p.get("y"))) for p in e.iterfind("di:waypoint", NS)]
             for e in tree.iterfind(".//bpmndi:BPMNEdge", NS)}
    for flow in tree.iterfind(".//bpmn:sequenceFlow", NS):
        points = edges[flow.get("id")]
        assert len(points) >= 2
        for (px, py), element in ((points[0], flow.get("sourceRef")), (points[-1], flow.get("targetRef"))):
            x, y, w, h = boxes[element]
            assert x - 1 <= px <= x + w + 1 and y - 1 <= py <= y + h + 1, f"{flow.get('id')} misses {element}"


def test_a_diagram_without_di_gets_a_complete_layout(tmp_path: Path) -> None:
    source = PROJECT_ROOT / "processes" / "case" / "processing.bpmn"
    tree = etree.parse(str(source))
    for diagram in tree.getroot().findall("bpmndi:BPMNDiagram", NS):
        tree.getroot().remove(diagram)
    target = tmp_path / "processing.bpmn"
    tree.write(str(target))
    assert bpmn_layout.main([str(target)]) == 0
    check_diagram(etree.parse(str(target)))


def test_a_diagram_with_di_is_left_alone_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "rectification.bpmn"
    original = (PROJECT_ROOT / "processes" / "case" / "rectification.bpmn").read_bytes()
    target.write_bytes(original)
    bpmn_layout.main([str(target)])
    assert target.read_bytes() == original
    bpmn_layout.main(["--replace", str(target)])
    check_diagram(etree.parse(str(target)))


@pytest.mark.parametrize("path", CASE_DIAGRAMS, ids=lambda p: p.name)
def test_every_case_diagram_is_drawn(path: Path) -> None:
    check_diagram(etree.parse(str(path)))
