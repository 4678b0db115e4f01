"""archive_borrowing deploys cleanly and its diagram draws every element where a reader expects it."""
from __future__ import annotations

from lxml import etree

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.definitions.translations import LOCALES, catalogue_name, read_catalogue

BPMN = PROJECT_ROOT / "processes" / "archive" / "archive_borrowing.bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
NODES = ("startEvent", "endEvent", "userTask", "serviceTask", "exclusiveGateway", "boundaryEvent")


def _bounds(tree: etree._ElementTree) -> dict[str, tuple[float, float, float, float]]:
    return {s.get("bpmnElement"): tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))
            for s in tree.iterfind(".//bpmndi:BPMNShape", NS) for b in s.iterfind("dc:Bounds", NS)}


def _touches(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    x, y, w, h = box
    return x - 1 <= point[0] <= x + w + 1 and y - 1 <= point[1] <= y + h + 1


def test_archive_borrowing_deploys_with_its_forms(app: Casedesk) -> None:
    results = app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "archive",
                                                   PROJECT_ROOT / "forms"), "owen")
    assert ("archive_borrowing", True) in [(r.key, r.created) for r in results]


def test_every_element_has_a_shape_inside_its_lane_and_every_flow_joins_its_ends() -> None:
    tree = etree.parse(str(BPMN))
    bounds = _bounds(tree)
    process = tree.find("bpmn:process", NS)
    nodes = [e for tag in NODES for e in process.iterfind(f"bpmn:{tag}", NS)]
    assert nodes and all(n.get("id") in bounds for n in nodes)
    for lane in process.iterfind(".//bpmn:lane", NS):
        lx, ly, lw, lh = bounds[lane.get("id")]
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            x, y, w, h = bounds[ref.text]
            # Boundary events sit on their task's edge and may straddle the lane by half their size.
            assert lx <= x and x + w <= lx + lw and ly <= y + h / 2 <= ly + lh, ref.text
    edges = {e.get("bpmnElement"): [(float(p.get("x")), float(p.get("y"))) for p in e.iterfind("di:waypoint", NS)]
             for e in tree.iterfind(".//bpmndi:BPMNEdge", NS)}
    flows = process.findall("bpmn:sequenceFlow", NS)
    assert len(flows) == len(edges)
    for flow in flows:
        points = edges[flow.get("id")]
        assert _touches(points[0], bounds[flow.get("sourceRef")]), flow.get("id")
        assert _touches(points[-1], bounds[flow.get("targetRef")]), flow.get("id")
        # Orthogonal routing: each segment is horizontal or vertical.
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:])), flow.get("id")


def test_every_element_is_named_in_english_and_translated_by_the_bundle() -> None:
    tree = etree.parse(str(BPMN))
    process = tree.find("bpmn:process", NS)
    catalogues = [read_catalogue(BPMN.with_name(catalogue_name(BPMN.name, locale)).read_bytes())[1] for locale in LOCALES]
    for node in (e for tag in NODES for e in process.iterfind(f"bpmn:{tag}", NS)):
        name = node.get("name") or ""
        assert name and not any("\u4e00" <= c <= "\u9fff" for c in name), node.get("id")
        assert all(any("\u4e00" <= c <= "\u9fff" for c in messages.get(name, "")) for messages in catalogues), \
            node.get("id")
