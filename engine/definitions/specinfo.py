"""Facts about the elements of a loaded definition: which (called) process holds a task, its documentation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from SpiffWorkflow.bpmn.specs.event_definitions import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask

from engine.definitions.service import LoadedDefinition
from engine.runtime.instructions import task_instructions


@dataclass(frozen=True)
class ElementInfo:
    process_key: str
    process_name: str
    name: str
    documentation: str
    instructions: str = ""  # SpiffWorkflow's instructionsForEndUser: a Jinja2 template over the task data


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
                instructions=task_instructions(task_spec),
            )
    return ElementInfo(definition.key, definition.key, task_spec_name, "")


def stage_names(definition: LoadedDefinition) -> dict[str, str]:
    """Every process of the definition (the top level and each called process) by key, with its name."""
    return {key: getattr(spec, "description", None) or key for key, spec in _process_specs(definition)}


def _callers(definition: LoadedDefinition) -> dict[str, list[tuple[str, str]]]:
    """Called process key -> (calling process key, call activity id) of every call activity."""
    callers: dict[str, list[tuple[str, str]]] = {}
    for key, spec in _process_specs(definition):
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, SubWorkflowTask) and isinstance(task_spec.spec, str):
                callers.setdefault(task_spec.spec, []).append((key, task_spec.bpmn_id or task_spec.name))
    return callers


def waiting_elements(definition: LoadedDefinition, task_specs: Iterable[str]) -> list[str]:
    """The waiting tasks, and the call activities they wait inside in every calling diagram, so that
    the top-level diagram shows where a case stands too."""
    callers = _callers(definition)
    found: set[str] = set()
    for name in task_specs:
        found.add(name)
        pending, seen = [element_info(definition, name).process_key], set()
        while pending:
            key = pending.pop()
            if key in seen:
                continue
            seen.add(key)
            for caller_key, activity in callers.get(key, []):
                found.add(activity)
                pending.append(caller_key)
    return sorted(found)


def diagram_files(definition: LoadedDefinition, names: Iterable[str]) -> list[tuple[str, str]]:
    """(file name, process name) of the version's BPMN files, the top-level process's file first."""
    titles = {getattr(spec, "file", None): getattr(spec, "description", None) or key
              for key, spec in _process_specs(definition)}
    top = getattr(definition.spec, "file", None)
    bpmn = sorted(n for n in names if n.endswith(".bpmn"))
    return [(n, titles.get(n) or n) for n in sorted(bpmn, key=lambda n: (n != top, n))]


def element_names(definition: LoadedDefinition) -> dict[str, str]:
    """BPMN id -> the element's name, over every process of the version (for timelines)."""
    names: dict[str, str] = {}
    for _key, spec in _process_specs(definition):
        for task_spec in spec.task_specs.values():
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if bpmn_id:
                names[bpmn_id] = getattr(task_spec, "bpmn_name", None) or bpmn_id
    return names


def starts_by_hand(spec: Any) -> bool:
    """Whether a person (or the API) may start the process: it has a plain start event. One that only a
    timer, a message or a signal starts would otherwise begin by waiting for that event."""
    events = getattr(spec, "bpmn_start_events", [])
    return not events or any(isinstance(getattr(e, "event_definition", None), NoneEventDefinition) for e in events)

