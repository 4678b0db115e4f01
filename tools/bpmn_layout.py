"""Dev tool: give a BPMN file without diagram interchange (BPMNDI) a left-to-right layered layout.

    python tools/bpmn_layout.py processes/case/*.bpmn            # files that have no DI get one
    python tools/bpmn_layout.py --replace processes/case/x.bpmn  # recompute an existing DI

Each process is drawn in its participant's pool (one is added to the collaboration when missing),
one horizontal band per lane. Flow nodes are put into layers by the longest path from the start
events, ignoring flows that loop back; nodes of one lane and layer are stacked in rows. Boundary
events sit on their host's lower edge. Flows are drawn orthogonally; loops run under their lane.
The output is plain BPMN DI that bpmn-js and the Camunda/Spiff modelers display and let you move.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}

POOL_X, POOL_Y, POOL_LABEL = 120, 60, 30   # the pool's label band is on its left
LAYER_WIDTH, ROW_HEIGHT, MARGIN = 170, 130, 60
LOOP_CLEARANCE = 25                        # how far below a lane's lowest row loops run
SIZES = {"event": (36, 36), "gateway": (50, 50), "activity": (100, 80)}


@dataclass
class Node:
    id: str
    kind: str                     # event | gateway | activity
    lane: str
    layer: int = 0
    row: int = 0
    x: float = 0
    y: float = 0
    boundaries: list[str] = field(default_factory=list)

    @property
    def size(self) -> tuple[int, int]:
        return SIZES[self.kind]

    @property
    def box(self) -> tuple[float, float, float, float]:
        width, height = self.size
        return self.x - width / 2, self.y - height / 2, width, height


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _kind(tag: str) -> str | None:
    if tag.endswith("Event"):
        return "event"
    if tag.endswith("Gateway"):
        return "gateway"
    if tag.endswith("Task") or tag in ("task", "callActivity", "subProcess", "transaction"):
        return "activity"
    return None


def layout_process(process: etree._Element) -> tuple[dict[str, Node], dict[str, tuple[str, str]], list[str],
                                                      dict[str, tuple[float, float]]]:
    """Node positions, flows (id -> source, target), lane order and lane bands (top, height)."""
    lanes: list[str] = [lane.get("id") for lane in process.iterfind(".//bpmn:lane", NS)]
    lane_of = {ref.text.strip(): lane.get("id")
               for lane in process.iterfind(".//bpmn:lane", NS) for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
    if not lanes:
        lanes = [""]
    nodes: dict[str, Node] = {}
    attached: dict[str, str] = {}
    for element in process:
        if not isinstance(element.tag, str):
            continue
        kind = _kind(_local(element))
        if kind is None:
            continue
        node = Node(element.get("id"), kind, lane_of.get(element.get("id"), lanes[0]))
        nodes[node.id] = node
        if _local(element) == "boundaryEvent":
            attached[node.id] = element.get("attachedToRef")
    for boundary, host in attached.items():
        nodes[host].boundaries.append(boundary)
    flows = {flow.get("id"): (flow.get("sourceRef"), flow.get("targetRef"))
             for flow in process.iterfind("bpmn:sequenceFlow", NS)}

    # Layers: longest path over the flows that do not loop back (found by a depth-first walk).
    outgoing: dict[str, list[str]] = defaultdict(list)
    for source, target in flows.values():
        outgoing[attached.get(source, source)].append(target)
    starts = [n for n in nodes if n not in attached and not any(t == n for _, t in flows.values())]
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}

    def walk(node_id: str) -> None:
        state[node_id] = 1
        for target in outgoing[node_id]:
            if state.get(target) == 1:
                back.add((node_id, target))
            elif target not in state:
                walk(target)
        state[node_id] = 2

    for start in starts:
        if start not in state:
            walk(start)
    order = [n for n in nodes if n not in attached]
    for _ in range(len(order)):
        changed = False
        for source, targets in outgoing.items():
            for target in targets:
                if (source, target) not in back and nodes[target].layer < nodes[source].layer + 1:
                    nodes[target].layer = nodes[source].layer + 1
                    changed = True
        if not changed:
            break

    # Rows: nodes sharing a lane and a layer are stacked in the order the walk met them.
    seen_order = {n: i for i, n in enumerate(state)}
    slots: dict[tuple[str, int], list[str]] = defaultdict(list)
    for node_id in sorted(order, key=lambda n: seen_order.get(n, len(seen_order))):
        node = nodes[node_id]
        slots[(node.lane, node.layer)].append(node_id)
    rows_per_lane = {lane: max([len(v) for (l, _), v in slots.items() if l == lane] or [1]) for lane in lanes}
    bands: dict[str, tuple[float, float]] = {}
    top = POOL_Y
    for lane in lanes:
        height = rows_per_lane[lane] * ROW_HEIGHT + 2 * LOOP_CLEARANCE
        bands[lane] = (top, height)
        top += height
    left = POOL_X + POOL_LABEL + (30 if lanes != [""] else 0) + MARGIN
    for (lane, layer), members in slots.items():
        for row, node_id in enumerate(members):
            node = nodes[node_id]
            node.row = row
            node.x = left + layer * LAYER_WIDTH
            node.y = bands[lane][0] + LOOP_CLEARANCE + row * ROW_HEIGHT + ROW_HEIGHT / 2
    for host in (n for n in nodes.values() if n.boundaries):
        hx, hy, hw, hh = host.box
        for index, boundary in enumerate(host.boundaries):
            nodes[boundary].x = hx + 25 + index * 45
            nodes[boundary].y = hy + hh
    return nodes, {k: v for k, v in flows.items()}, lanes, bands


def _blocked(y: float, x_from: float, x_to: float, others: list[Node]) -> bool:
    """Whether a horizontal segment at height y runs through any of the other nodes."""
    for node in others:
        x, top, width, height = node.box
        if top <= y <= top + height and x < x_to and x + width > x_from:
            return True
    return False


def _waypoints(source: Node, target: Node, bands: dict[str, tuple[float, float]],
               attached: bool, others: list[Node]) -> list[tuple[float, float]]:
    sx, sy, sw, sh = source.box
    tx, ty, tw, th = target.box
    if attached:  # out of the host's lower edge, down, then right into the target
        start = (source.x, sy + sh)
        if abs(target.y - start[1]) < 1:
            return [start, (tx, target.y)]
        return [start, (source.x, target.y), (tx, target.y)]
    if target.x > source.x:  # forward: right, and bend just before the target when the rows differ
        start, end = (sx + sw, source.y), (tx, target.y)
        # bend in the gap before the target's column (its widest shape is an activity)
        middle = max(start[0] + 10, target.x - SIZES["activity"][0] / 2 - 15)
        if not _blocked(source.y, start[0], middle, others):
            if abs(source.y - target.y) < 1:
                return [start, end]
            return [start, (middle, source.y), (middle, target.y), end]
        # a node sits on the straight way (a long flow skipping a layer): pass under it
        below = max(sy + sh, ty + th) + ROW_HEIGHT / 4
        return [(source.x, sy + sh), (source.x, below), (target.x, below), (target.x, ty + th)]
    # loop back: down under the lower of the two lanes, left, up into the target's lower edge
    bottom = max(bands[source.lane][0] + bands[source.lane][1], bands[target.lane][0] + bands[target.lane][1])
    below = bottom - LOOP_CLEARANCE / 2
    return [(source.x, sy + sh), (source.x, below), (target.x, below), (target.x, ty + th)]


def add_diagram(tree: etree._ElementTree, replace: bool = False) -> bool:
    """Write a BPMNDiagram into `tree`; False (and no change) when it has one and replace is off."""
    root = tree.getroot()
    existing = root.findall("bpmndi:BPMNDiagram", NS)
    if existing and not replace:
        return False
    for diagram in existing:
        root.remove(diagram)
    collaboration = root.find("bpmn:collaboration", NS)
    processes = root.findall("bpmn:process", NS)
    if collaboration is None:
        collaboration = etree.Element(f"{{{BPMN}}}collaboration", id=f"{root.get('id')}_collaboration")
        root.insert(0, collaboration)
    participants = {p.get("processRef"): p for p in collaboration.iterfind("bpmn:participant", NS)}
    diagram = etree.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", id=f"{root.get('id')}_diagram")
    plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id=f"{root.get('id')}_plane",
                             bpmnElement=collaboration.get("id"))
    offset = 0.0
    for process in processes:
        participant = participants.get(process.get("id"))
        if participant is None:
            participant = etree.SubElement(collaboration, f"{{{BPMN}}}participant",
                                           id=f"{process.get('id')}_participant", name=process.get("name", ""),
                                           processRef=process.get("id"))
        nodes, flows, lanes, bands = layout_process(process)
        for node in nodes.values():
            node.y += offset
        bands = {lane: (top + offset, height) for lane, (top, height) in bands.items()}
        layers = max((n.layer for n in nodes.values()), default=0)
        width = POOL_LABEL + (30 if lanes != [""] else 0) + 2 * MARGIN + layers * LAYER_WIDTH + 100
        height = sum(h for _, h in bands.values())
        _shape(plane, participant.get("id"), (POOL_X, POOL_Y + offset, width, height), horizontal=True)
        if lanes != [""]:
            for lane in lanes:
                top, band = bands[lane]
                _shape(plane, lane, (POOL_X + POOL_LABEL, top, width - POOL_LABEL, band), horizontal=True)
        for node in nodes.values():
            _shape(plane, node.id, node.box, marker=node.kind == "gateway")
        boundary_ids = {b for n in nodes.values() for b in n.boundaries}
        for flow_id, (source, target) in flows.items():
            edge = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{flow_id}_di", bpmnElement=flow_id)
            others = [n for n in nodes.values() if n.id not in (source, target) and n.id not in boundary_ids]
            for x, y in _waypoints(nodes[source], nodes[target], bands, source in boundary_ids, others):
                etree.SubElement(edge, f"{{{DI}}}waypoint", x=_num(x), y=_num(y))
        offset += height + 40
    return True


def _shape(plane: etree._Element, element_id: str, box: tuple[float, float, float, float],
           horizontal: bool = False, marker: bool = False) -> None:
    shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", id=f"{element_id}_di", bpmnElement=element_id)
    if horizontal:
        shape.set("isHorizontal", "true")
    if marker:
        shape.set("isMarkerVisible", "true")
    x, y, width, height = box
    etree.SubElement(shape, f"{{{DC}}}Bounds", x=_num(x), y=_num(y), width=_num(width), height=_num(height))


def _num(value: float) -> str:
    return str(int(round(value)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--replace", action="store_true", help="recompute a diagram that already has DI")
    args = parser.parse_args(argv)
    for path in args.files:
        tree = etree.parse(str(path), etree.XMLParser(remove_blank_text=False, resolve_entities=False, no_network=True))
        if not add_diagram(tree, replace=args.replace):
            print(f"{path}: has a diagram already (use --replace to recompute it)")
            continue
        etree.indent(tree.getroot().find("bpmndi:BPMNDiagram", NS), space="  ", level=1)
        tree.getroot().find("bpmndi:BPMNDiagram", NS).tail = "\n"
        tree.write(str(path), xml_declaration=True, encoding="UTF-8")
        print(f"{path}: diagram written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
