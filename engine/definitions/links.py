"""Link events: a throwing link continues at the catching link of the same name in the same scope.

SpiffWorkflow 3.2 reads a link event as a "none" event, so a throwing link ended its path and the
catching link was never reached. Link events are only a drawing aid (an off-page connector), so
the parser is given the diagram with each throw/catch pair joined by a sequence flow; the stored
files stay exactly as deployed. A throwing link without exactly one catching link of its name in
its process or subprocess is a deploy problem.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Iterator

from lxml import etree

from engine.errors import Problem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SCOPES = ("process", "subProcess", "transaction", "adHocSubProcess")
_LINK = f"{{{BPMN}}}linkEventDefinition"
_HEAD_OF_NODE = ("documentation", "extensionElements", "incoming", "outgoing")
_HEAD_OF_TARGET = ("documentation", "extensionElements", "incoming")


@dataclass(frozen=True)
class LinkPair:
    throw: etree._Element
    catch: etree._Element
    flow_id: str


def with_links_connected(tree: etree._ElementTree | etree._Element) -> etree._ElementTree | etree._Element:
    """A copy of the diagram with every well-formed link pair joined by a sequence flow (or the
    diagram itself when it has no link events)."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    if next(root.iter(_LINK), None) is None:
        return tree
    joined = copy.deepcopy(tree)
    joined_root = joined.getroot() if isinstance(joined, etree._ElementTree) else joined
    for scope in _scopes(joined_root):
        pairs, _ = _pairs(scope)
        for pair in pairs:
            _join(pair)
    return joined


def link_problems(filename: str, tree: etree._ElementTree) -> Iterator[Problem]:
    """A throwing link whose name no catching link (or more than one) carries in its scope."""
    for scope in _scopes(tree.getroot()):
        _, problems = _pairs(scope, filename)
        yield from problems


def _scopes(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter(f"{{{BPMN}}}*") if etree.QName(e).localname in SCOPES]


def _link_name(event: etree._Element) -> str | None:
    definition = event.find(_LINK)
    return None if definition is None else (definition.get("name") or definition.get("id") or "")


def _pairs(scope: etree._Element, filename: str = "") -> tuple[list[LinkPair], list[Problem]]:
    catches: dict[str, list[etree._Element]] = {}
    for event in scope.iterchildren(f"{{{BPMN}}}intermediateCatchEvent"):
        name = _link_name(event)
        if name is not None:
            catches.setdefault(name, []).append(event)
    pairs, problems = [], []
    for event in scope.iterchildren(f"{{{BPMN}}}intermediateThrowEvent"):
        name = _link_name(event)
        if name is None:
            continue
        targets = catches.get(name, [])
        if len(targets) == 1:
            pairs.append(LinkPair(event, targets[0], f"{event.get('id')}__link__{targets[0].get('id')}"))
            continue
        found = "no catching link event" if not targets else f"{len(targets)} catching link events"
        problems.append(Problem(
            filename, event.get("id") or "", event.get("name") or "",
            f"this throwing link event goes to the link named {name!r}, but {found} of that name is in the "
            "same process or subprocess. Give exactly one catching link event in the same process or "
            "subprocess that name."))
    return pairs, problems


def _join(pair: LinkPair) -> None:
    flow_id = pair.flow_id
    _insert_after_head(pair.throw, "outgoing", flow_id, _HEAD_OF_NODE)
    _insert_after_head(pair.catch, "incoming", flow_id, _HEAD_OF_TARGET)
    flow = etree.Element(f"{{{BPMN}}}sequenceFlow", id=flow_id, sourceRef=pair.throw.get("id") or "",
                         targetRef=pair.catch.get("id") or "")
    pair.throw.addnext(flow)


def _insert_after_head(node: etree._Element, tag: str, text: str, head: tuple[str, ...]) -> None:
    position = 0
    for index, child in enumerate(node):
        if isinstance(child.tag, str) and etree.QName(child).localname in head:
            position = index + 1
    element = etree.Element(f"{{{BPMN}}}{tag}")
    element.text = text
    node.insert(position, element)
