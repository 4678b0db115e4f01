"""Differences between two stored versions of a process, read from their files rather than from their text:
BPMN elements added, removed or changed, each change named property by property (name, condition, script,
form, routing, timer, service operator and parameters, called process, ...) with the old and the new value.

Formatting never counts: XML is compared element by element (attribute order, indentation, namespace
prefixes and generated ids of event definitions do not matter) and JSON files (forms, translation
catalogues) value by value. Layout (the BPMN diagram interchange: shape bounds, edge waypoints, label
positions) counts only when asked (`layout=True`, `?layout=1` on the owner's diff page): then moved shapes
are listed and the file diffs show the diagram interchange too.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from lxml import etree

from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.xmlsafe import UnsafeXml, parse_xml

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
LAYOUT = "layout"
# Child elements that are elements of their own (compared on their own) or bookkeeping the flows repeat.
_OWN_ELEMENTS = {"laneSet", "lane", "incoming", "outgoing", "flowNodeRef", "extensionElements"}
# Attributes at their BPMN default mean the same as no attribute (modelers leave them out).
_DEFAULTS = {"isSequential": "false", "cancelActivity": "true", "isInterrupting": "true", "isForCompensation": "false",
             "parallelMultiple": "false", "triggeredByEvent": "false", "isClosed": "false", "isImmediate": "true",
             "startQuantity": "1", "completionQuantity": "1", "behavior": "All", "gatewayDirection": "Unspecified",
             "instantiate": "false", "implementation": "##unspecified", "scriptFormat": "", "isCollection": "false"}
# spiffworkflow properties by what an owner calls them.
_PROPERTY_LABELS = {"formJsonSchemaFilename": "form", "formUiSchemaFilename": "form layout",
                    "candidateGroups": "candidate groups", "assignee": "assignee", "dueAt": "due at",
                    "businessKey": "business key", "retry": "retry", "calledElementBinding": "call binding",
                    "calledElementVersion": "called version"}
_CHILD_LABELS = {"conditionExpression": "condition", "script": "script", "documentation": "documentation",
                 "timerEventDefinition": "timer", "multiInstanceLoopCharacteristics": "multi-instance",
                 "standardLoopCharacteristics": "loop", "completionCondition": "completion condition"}
_ATTRIBUTE_LABELS = {"calledElement": "called process", "default": "default flow", "attachedToRef": "attached to",
                     "cancelActivity": "interrupting", "sourceRef": "source", "targetRef": "target",
                     "messageRef": "message", "signalRef": "signal", "errorRef": "error", "processRef": "process"}


@dataclass(frozen=True)
class PropertyChange:
    name: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ElementChange:
    process: str
    element_id: str
    element_name: str
    element_type: str
    change: str
    attributes: list[str]
    details: list[PropertyChange] = field(default_factory=list)


@dataclass(frozen=True)
class FileDiff:
    name: str
    change: str
    lines: list[str]


@dataclass(frozen=True)
class VersionDiff:
    key: str
    old_version: int
    new_version: int
    elements: list[ElementChange]
    files: list[FileDiff]
    layout: bool = False


@dataclass(frozen=True)
class Element:
    """One BPMN element as its semantics read: kind, name and every property that changes what runs."""

    process: str
    element_id: str
    kind: str
    name: str
    properties: dict[str, str]
    layout: str | None = None  # its diagram interchange (bounds, waypoints, label), compared only when asked


def diff_versions(catalog: DefinitionCatalog, definitions: Any, key: str, old_version: int, new_version: int,
                  layout: bool = False) -> VersionDiff:
    """`definitions` is unused (kept for callers); the diff reads the stored files of both versions."""
    old_files, new_files = catalog.files(key, old_version), catalog.files(key, new_version)
    return VersionDiff(key, old_version, new_version, bundle_changes(old_files, new_files, layout),
                       file_diffs(old_files, new_files, layout), layout)


def bundle_changes(old_files: Mapping[str, bytes], new_files: Mapping[str, bytes],
                   layout: bool = False) -> list[ElementChange]:
    """Elements of every BPMN file of both bundles, aligned by process and id."""
    old, new = bundle_elements(old_files), bundle_elements(new_files)
    changes = [_change(new[k], ADDED) for k in new.keys() - old.keys()]
    changes += [_change(old[k], REMOVED) for k in old.keys() - new.keys()]
    for k in old.keys() & new.keys():
        details = property_changes(old[k], new[k], layout)
        if details:
            changes.append(_change(new[k], CHANGED, details))
    order = {ADDED: 0, REMOVED: 1, CHANGED: 2}
    return sorted(changes, key=lambda c: (order[c.change], c.process, c.element_id))


def property_changes(old: Element, new: Element, layout: bool = False) -> list[PropertyChange]:
    details = [] if old.kind == new.kind else [PropertyChange("type", old.kind, new.kind)]
    if old.name != new.name:
        details.append(PropertyChange("name", old.name or None, new.name or None))
    for name in sorted(old.properties.keys() | new.properties.keys()):
        before, after = old.properties.get(name), new.properties.get(name)
        if before != after:
            details.append(PropertyChange(name, before, after))
    if layout and old.layout != new.layout:
        details.append(PropertyChange(LAYOUT, old.layout, new.layout))
    return details


def bundle_elements(files: Mapping[str, bytes]) -> dict[tuple[str, str], Element]:
    elements: dict[tuple[str, str], Element] = {}
    for name in sorted(n for n in files if n.endswith(".bpmn")):
        try:
            root = parse_xml(files[name], name).getroot()
        except UnsafeXml:
            continue  # stored versions are well-formed; a model that is not has no elements to compare
        for element in diagram_elements(root):
            elements[(element.process, element.element_id)] = element
    return elements


def diagram_elements(root: Any) -> Iterator[Element]:
    """Every element with an id of the processes, the collaboration and the root definitions (messages,
    signals, errors), with its properties; the flows around a flow node and its lane are properties too."""
    layouts = _layouts(root)
    flows: dict[str, list[str]] = {}
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow", f"{{{BPMN}}}messageFlow"):
        source, target = flow.get("sourceRef") or "", flow.get("targetRef") or ""
        flows.setdefault(source, []).append(f"→ {target}")
        flows.setdefault(target, []).append(f"{source} →")
    lanes = {ref.text.strip(): lane.get("name") or lane.get("id") or ""
             for lane in root.iter(f"{{{BPMN}}}lane") for ref in lane.findall(f"{{{BPMN}}}flowNodeRef") if ref.text}
    for child in root:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN:
            continue
        process = child.get("id") or "" if _local(child) == "process" else ""
        if _local(child) == "process":
            yield from _process_elements(child, process, flows, lanes, layouts)
        elif _local(child) == "collaboration":
            for part in child:
                if isinstance(part.tag, str) and part.get("id"):
                    yield _element(part, "", flows, lanes, layouts)
        elif child.get("id"):
            yield _element(child, "", flows, lanes, layouts)


def _process_elements(container: Any, process: str, flows: dict[str, list[str]], lanes: dict[str, str],
                      layouts: dict[str, str]) -> Iterator[Element]:
    for child in container:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN:
            continue
        if _local(child) == "laneSet":
            for lane in child.iter(f"{{{BPMN}}}lane"):
                yield _element(lane, process, flows, lanes, layouts)
            continue
        if not child.get("id") or _local(child) in _OWN_ELEMENTS:
            continue
        yield _element(child, process, flows, lanes, layouts)
        if _local(child) in ("subProcess", "transaction", "adHocSubProcess"):
            yield from _process_elements(child, process, flows, lanes, layouts)


def _element(node: Any, process: str, flows: dict[str, list[str]], lanes: dict[str, str],
             layouts: dict[str, str]) -> Element:
    element_id = node.get("id")
    properties: dict[str, str] = {}
    for attribute, value in node.attrib.items():
        name = etree.QName(attribute).localname
        if name not in ("id", "name") and _DEFAULTS.get(name) != value:
            properties[_ATTRIBUTE_LABELS.get(name, name)] = value
    if element_id in flows and _local(node) not in ("sequenceFlow", "messageFlow"):
        properties["flows"] = ", ".join(sorted(flows[element_id]))
    if element_id in lanes:
        properties["lane"] = lanes[element_id]
    if _local(node) == "lane":
        members = [ref.text.strip() for ref in node.findall(f"{{{BPMN}}}flowNodeRef") if ref.text]
        properties["members"] = ", ".join(sorted(members))
    nested = _local(node) in ("subProcess", "transaction", "adHocSubProcess")
    for child in node:
        if not isinstance(child.tag, str):
            continue
        local = _local(child)
        if local == "extensionElements":
            properties.update(_extensions(child))
        elif local in _OWN_ELEMENTS or (nested and child.get("id") and local not in _CHILD_LABELS
                                        and not local.endswith("EventDefinition")):
            continue
        else:
            label = _CHILD_LABELS.get(local, local)
            properties[label] = _joined(properties.get(label), _canonical(child))
    return Element(process, element_id, _kind(node), (node.get("name") or "").strip(), properties,
                   layouts.get(element_id))


def _extensions(node: Any) -> dict[str, str]:
    properties: dict[str, str] = {}
    for extension in node:
        if not isinstance(extension.tag, str):
            continue
        local = _local(extension)
        if etree.QName(extension).namespace == SPIFF and local == "properties":
            for item in extension.findall(f"{{{SPIFF}}}property"):
                name = item.get("name") or ""
                properties[_PROPERTY_LABELS.get(name, f"property {name}")] = item.get("value") or (item.text or "").strip()
        elif etree.QName(extension).namespace == SPIFF and local == "serviceTaskOperator":
            properties["operator"] = extension.get("id") or ""
            if extension.get("resultVariable"):
                properties["result variable"] = extension.get("resultVariable")
            for parameter in extension.iter(f"{{{SPIFF}}}parameter"):
                name = parameter.get("id") or parameter.get("name") or ""
                properties[f"parameter {name}"] = parameter.get("value") or ""
        else:
            properties[local] = _joined(properties.get(local), _canonical(extension))
    return properties


def _canonical(node: Any) -> str:
    """A child's meaning as one stable text: its text, attributes (generated ids left out) and children."""
    text = " ".join((node.text or "").split()) if _local(node) not in ("script", "conditionExpression") \
        else (node.text or "").strip()
    attributes = [f"{etree.QName(a).localname}={v}" for a, v in sorted(node.attrib.items())
                  if etree.QName(a).localname not in ("id", "type") and _DEFAULTS.get(etree.QName(a).localname) != v]
    children = [f"{_local(c)}: {_canonical(c)}" for c in node if isinstance(c.tag, str)]
    return "; ".join(part for part in [*attributes, text, *children] if part)


def _joined(before: str | None, value: str) -> str:
    return value if before is None else f"{before} | {value}"


def _layouts(root: Any) -> dict[str, str]:
    """Each element's diagram interchange as text: shape bounds, edge waypoints, label bounds."""
    layouts: dict[str, str] = {}
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge"):
        parts = []
        for part in shape.iter(f"{{{DC}}}Bounds", f"{{{DI}}}waypoint"):
            parts.append(",".join(part.get(a) or "" for a in ("x", "y", "width", "height") if part.get(a) is not None))
        element = shape.get("bpmnElement")
        if element:
            layouts[element] = " ".join(parts)
    return layouts


def _kind(node: Any) -> str:
    local = _local(node)
    return local[:1].upper() + local[1:]


def _local(node: Any) -> str:
    return str(etree.QName(node).localname)


def file_diffs(old: Mapping[str, bytes], new: Mapping[str, bytes], layout: bool = False) -> list[FileDiff]:
    """A unified diff per file (three lines of context) of what the file means: XML re-indented with the
    diagram interchange left out (kept with `layout`), JSON re-indented; files only in one version are all
    added or removed. A file whose meaning did not change is `same`, however its text was reformatted."""
    diffs = []
    for name in sorted(old.keys() | new.keys()):
        before, after = _normalised(name, old.get(name), layout), _normalised(name, new.get(name), layout)
        change = ADDED if name not in old else REMOVED if name not in new else SAME if before == after else CHANGED
        lines = [] if change == SAME else list(difflib.unified_diff(
            before, after, fromfile=f"{name} (old)", tofile=f"{name} (new)", lineterm=""))
        diffs.append(FileDiff(name, change, lines))
    return diffs


def _normalised(name: str, content: bytes | None, layout: bool) -> list[str]:
    if content is None:
        return []
    if name.endswith(".json"):
        try:
            return json.dumps(json.loads(content), indent=2, ensure_ascii=False).splitlines()
        except ValueError:
            pass
    elif name.endswith((".bpmn", ".dmn")):
        try:
            return _normalised_xml(parse_xml(content, name).getroot(), layout)
        except UnsafeXml:
            pass
    return [line.rstrip() for line in content.decode("utf-8", errors="replace").splitlines()]


# Namespace prefixes are the writer's choice: the normalised text uses these whatever a file used.
_PREFIXES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "spiffworkflow": SPIFF,
             "xsi": "http://www.w3.org/2001/XMLSchema-instance"}


def _renamed(node: Any, parent: Any = None) -> Any:
    """A copy of `node` with the usual prefixes and attributes in name order (comments dropped)."""
    attributes = dict(sorted(node.attrib.items()))
    copy = etree.Element(node.tag, attributes, nsmap=_PREFIXES) if parent is None else \
        etree.SubElement(parent, node.tag, attributes)
    copy.text = node.text
    for child in node:
        if isinstance(child.tag, str):
            _renamed(child, copy)
    return copy


def _normalised_xml(root: Any, layout: bool) -> list[str]:
    root = _renamed(root)
    if not layout:
        for diagram in root.findall(f"{{{BPMNDI}}}BPMNDiagram"):
            root.remove(diagram)
        for diagram in root.findall("{https://www.omg.org/spec/DMN/20191111/DMNDI/}DMNDI"):
            root.remove(diagram)
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        if _local(node) not in ("script", "conditionExpression", "text") and node.text is not None \
                and not node.text.strip():
            node.text = None
        node.tail = None
    etree.indent(root, space="  ")
    text = etree.tostring(root, encoding="unicode")
    return text.splitlines()


def _change(element: Element, change: str, details: list[PropertyChange] | None = None) -> ElementChange:
    details = details or []
    return ElementChange(element.process, element.element_id, element.name, element.kind, change,
                         sorted({d.name for d in details}), details)
