"""Call activities of a definition: which process each calls and how it binds the called version.

`calledElementBinding` (a SpiffWorkflow extension property on the call activity): `latest` (the
default: the newest startable version when the call starts), `deployment` (the copy deployed with
the caller), `version` with `calledElementVersion` (a fixed version number). Checked at deploy.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask

BINDING_PROPERTY = "calledElementBinding"
VERSION_PROPERTY = "calledElementVersion"
BINDINGS = ("latest", "deployment", "version")
DEFAULT_BINDING = "latest"
# Internal-data key of a call activity's task: the definition id of the version its call runs.
BOUND = "casedesk_bound"


def call_binding(task_spec: Any) -> tuple[str, str | None]:
    """(binding, version text) a call activity asks for; the default is `latest`."""
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    binding = (properties.get(BINDING_PROPERTY) or DEFAULT_BINDING).strip()
    return binding, properties.get(VERSION_PROPERTY)


def binding_problem(task_spec: Any) -> str | None:
    """What is wrong with a call activity's binding properties, in an owner's words, or None."""
    binding, version = call_binding(task_spec)
    if binding not in BINDINGS:
        return (f"property {BINDING_PROPERTY}={binding!r} is not one of {', '.join(BINDINGS)}. Use latest (the newest "
                f"version when the call starts), deployment (the copy deployed with this process) or version.")
    if binding == "version":
        if version is None or not version.strip().isdigit() or int(version) < 1:
            return (f"binds to a fixed version, but property {VERSION_PROPERTY}={version!r} is not a version number. "
                    f"Set {VERSION_PROPERTY} to the number of a deployed version (1, 2, ...).")
    elif version is not None:
        return (f"property {VERSION_PROPERTY} is set, but {BINDING_PROPERTY} is {binding!r}. Set {BINDING_PROPERTY} "
                f"to version, or remove {VERSION_PROPERTY}.")
    return None


@dataclass(frozen=True)
class Call:
    """One call activity of a stored version: what it calls and how it binds the called version."""

    caller: str
    caller_version: int
    element: str
    name: str
    called: str
    binding: str
    pinned_version: int | None  # calledElementVersion, for `version`


def calls_of(key: str, version: int, spec: Any, subprocess_specs: Mapping[str, Any]) -> list[Call]:
    """Every call activity of a version's process and of the subprocesses embedded in it, in element order
    (calls inside the called processes belong to those processes)."""
    found: list[Call] = []
    pending, seen = [spec], {spec.name}
    while pending:
        current = pending.pop(0)
        for task_spec in sorted(current.task_specs.values(), key=lambda t: t.name):
            if isinstance(task_spec, CallActivity):
                binding, number = call_binding(task_spec)
                pinned = int(number) if binding == "version" and number and number.strip().isdigit() else None
                found.append(Call(key, version, task_spec.bpmn_id, getattr(task_spec, "bpmn_name", None) or "",
                                  task_spec.spec, binding, pinned))
            elif isinstance(task_spec, SubWorkflowTask) and task_spec.spec not in seen:
                embedded = subprocess_specs.get(task_spec.spec)
                if embedded is not None:
                    seen.add(task_spec.spec)
                    pending.append(embedded)
    return found
