"""Which processes a version calls (and which version each call runs now), and which processes call it."""
from __future__ import annotations

from dataclasses import dataclass

from engine.bootstrap import Casedesk
from engine.definitions.calls import Call, calls_of
from engine.definitions.catalog import DefinitionVersion


@dataclass(frozen=True)
class CallRow:
    call: Call
    runs_now: int | None  # the called version a call starting now runs; None: the copy deployed with the caller


def call_rows(app: Casedesk, found: DefinitionVersion, versions: list[DefinitionVersion],
              startable: dict[str, int]) -> tuple[list[CallRow], list[Call]]:
    """The calls of `found` with the version each would run now, and the calls of `found.key` made by the
    version new instances of every other process start from."""
    number = {v.id: v.version for v in versions}
    loaded = app.definitions.load(found.id)
    rows = []
    for call in calls_of(found.key, found.version, loaded.spec, loaded.subprocess_specs):
        if call.binding == "version":
            runs = call.pinned_version
        elif call.binding == "latest" and call.called in startable:
            runs = number.get(startable[call.called])
        else:
            runs = None
        rows.append(CallRow(call, runs))
    callers = []
    for key, definition_id in sorted(startable.items()):
        if key == found.key or definition_id not in number:
            continue
        caller = app.definitions.load(definition_id)
        callers.extend(c for c in calls_of(key, number[definition_id], caller.spec, caller.subprocess_specs)
                       if c.called == found.key)
    return rows, callers
