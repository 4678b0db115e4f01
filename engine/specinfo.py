"""Facts about the elements of a loaded definition: which (called) process holds a task, its documentation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from .definitions import LoadedDefinition


@dataclass(frozen=True)
class ElementInfo:
    process_key: str
    process_name: str
    name: str
    documentation: str


def _process_specs(definition: LoadedDefinition) -> Iterator[tuple[str, Any]]:
    yield definition.key, definition.spec
    yield from sorted(definition.subprocess_specs.items())


def element_info(definition: LoadedDefinition, task_spec_name: str) -> ElementInfo:
    """The process (top level or called) that holds `task_spec_name`, with the element's text."""
    for key, spec in _process_specs(definition):
        task_spec = spec.task_specs.get(task_spec_name)
        if task_spec is not None:
            return ElementInfo(
                process_key=key, process_name=getattr(spec, "description", None) or key,
                name=getattr(task_spec, "bpmn_name", None) or task_spec_name,
                documentation=(getattr(task_spec, "documentation", None) or "").strip(),
            )
    return ElementInfo(definition.key, definition.key, task_spec_name, "")


def stage_names(definition: LoadedDefinition) -> dict[str, str]:
    """Every process of the definition (the top level and each called process) by key, with its name."""
    return {key: getattr(spec, "description", None) or key for key, spec in _process_specs(definition)}
