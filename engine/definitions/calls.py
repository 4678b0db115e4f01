"""Call activities of a definition: which process each calls and how it binds the called version.

`calledElementBinding` (a SpiffWorkflow extension property on the call activity): `latest` (the
default: the newest startable version when the call starts), `deployment` (the copy deployed with
the caller), `version` with `calledElementVersion` (a fixed version number). Checked at deploy.
"""
from __future__ import annotations

from typing import Any

BINDING_PROPERTY = "calledElementBinding"
VERSION_PROPERTY = "calledElementVersion"
BINDINGS = ("latest", "deployment", "version")
DEFAULT_BINDING = "latest"


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
