"""Differences between two stored versions of a process: BPMN elements added, removed or changed
(aligned by SpiffWorkflow's SpecDiff) and a line diff of every source file."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.service import DefinitionService

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"
# Serialized spec attributes as an owner reads them; inputs/outputs change with any neighbour: "flows".
_ATTRIBUTE_LABELS = {"bpmn_name": "name", "inputs": "flows", "outputs": "flows", "typename": "type"}


@dataclass(frozen=True)
class ElementChange:
    process: str
    element_id: str
    element_name: str
    element_type: str
    change: str
    attributes: list[str]


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


def _registry() -> Any:
    return BpmnWorkflowSerializer.configure(dict(SPIFF_CONFIG))


def diff_versions(catalog: DefinitionCatalog, definitions: DefinitionService, key: str,
                  old_version: int, new_version: int) -> VersionDiff:
    old, new = catalog.version(key, old_version), catalog.version(key, new_version)
    old_loaded, new_loaded = definitions.load(old.id), definitions.load(new.id)
    old_specs = {key: old_loaded.spec, **old_loaded.subprocess_specs}
    new_specs = {key: new_loaded.spec, **new_loaded.subprocess_specs}
    registry = _registry()
    elements: list[ElementChange] = []
    for name in sorted(old_specs.keys() | new_specs.keys()):
        if name not in new_specs:
            elements += [_change(name, spec, REMOVED) for spec in _elements(old_specs[name])]
        elif name not in old_specs:
            elements += [_change(name, spec, ADDED) for spec in _elements(new_specs[name])]
        else:
            elements += element_changes(registry, name, old_specs[name], new_specs[name])
    return VersionDiff(key, old_version, new_version, elements,
                       file_diffs(catalog.files(key, old_version), catalog.files(key, new_version)))


def element_changes(registry: Any, process: str, old_spec: Any, new_spec: Any) -> list[ElementChange]:
    diff = SpecDiff(registry, old_spec, new_spec)
    changes = [_change(process, spec, ADDED) for spec in diff.added if _is_element(spec)]
    changes += [_change(process, spec, REMOVED) for spec in diff.removed if _is_element(spec)]
    for spec, attributes in diff.changed.items():
        if _is_element(spec):
            named = sorted({_ATTRIBUTE_LABELS.get(a, a) for a in attributes})
            changes.append(_change(process, diff.alignment[spec] or spec, CHANGED, named))
    order = {ADDED: 0, REMOVED: 1, CHANGED: 2}
    return sorted(changes, key=lambda c: (order[c.change], c.element_id))


def file_diffs(old: dict[str, bytes], new: dict[str, bytes]) -> list[FileDiff]:
    """A unified diff per file (three lines of context); files only in one version are all added/removed."""
    diffs = []
    for name in sorted(old.keys() | new.keys()):
        before, after = _lines(old.get(name)), _lines(new.get(name))
        change = ADDED if name not in old else REMOVED if name not in new else SAME if before == after else CHANGED
        lines = [] if change == SAME else list(difflib.unified_diff(
            before, after, fromfile=f"{name} (old)", tofile=f"{name} (new)", lineterm=""))
        diffs.append(FileDiff(name, change, lines))
    return diffs


def _lines(content: bytes | None) -> list[str]:
    if content is None:
        return []
    return content.decode("utf-8", errors="replace").splitlines()


def _is_element(spec: Any) -> bool:
    # The library's own bookkeeping specs (Start, End, EndJoin) carry no BPMN id.
    return getattr(spec, "bpmn_id", None) is not None


def _elements(spec: Any) -> list[Any]:
    return sorted((s for s in spec.task_specs.values() if _is_element(s)), key=lambda s: s.bpmn_id)


def _change(process: str, spec: Any, change: str, attributes: list[str] | None = None) -> ElementChange:
    return ElementChange(process, spec.bpmn_id, getattr(spec, "bpmn_name", None) or "", type(spec).__name__,
                         change, attributes or [])
