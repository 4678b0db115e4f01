"""What replay compares: recorded vs replayed events (task ids mapped), and stored vs replayed state."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from engine.clock import isoformat
from engine.models import InstanceEvent

# Per-task wall-clock stamp SpiffWorkflow keeps for itself; no step reads it.
VOLATILE_TASK_FIELDS = ("last_state_change",)
# Lists the serializer derives from a dict's key order, which a cold load rebuilds differently.
SET_LIKE_FIELDS = ("deletions",)


@dataclass(frozen=True)
class RecordedEvent:
    """One stored event, its payload parsed; `position` is its place in insertion order (from 1)."""

    position: int
    seq: int
    at: datetime
    actor: str | None
    category: str
    type: str
    task_id: str | None
    task_spec: str | None
    payload: dict[str, Any]
    raw_payload: str | None = None  # the stored text: a replayed row with the same text needs no parsing

    @classmethod
    def from_row(cls, position: int, row: InstanceEvent) -> "RecordedEvent":
        try:
            payload = json.loads(row.payload)
        except ValueError:
            payload = {"unreadable payload": row.payload}
        return cls(position, row.seq, row.at, row.actor, row.category, row.type, row.task_id, row.task_spec,
                   payload if isinstance(payload, dict) else {"payload": payload}, row.payload)

    def summary(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": isoformat(self.at), "actor": self.actor, "category": self.category,
                "type": self.type, "task_id": self.task_id, "task_spec": self.task_spec, "payload": self.payload}


def produced_summary(row: Mapping[str, Any]) -> dict[str, Any]:
    """A replayed event row (as `chain_event` builds it) in the same shape as `RecordedEvent.summary`."""
    return {"seq": row["seq"], "at": isoformat(row["at"]), "actor": row["actor"], "category": row["category"],
            "type": row["type"], "task_id": row["task_id"], "task_spec": row["task_spec"],
            "payload": json.loads(row["payload"])}


@dataclass(frozen=True)
class Divergence:
    """The first place where replay and record disagree: `expected` is what was recorded, `got` what replay produced."""

    seq: int | None
    kind: str
    detail: str
    expected: Any = None
    got: Any = None

    def __str__(self) -> str:
        where = f"seq {self.seq}: " if self.seq is not None else ""
        return f"{where}{self.kind}: {self.detail}"

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "detail": self.detail,
                "expected": self.expected, "got": self.got}


class ReplayDiverged(Exception):
    def __init__(self, divergence: Divergence):
        super().__init__(str(divergence))
        self.divergence = divergence


class TaskIdMap:
    """Recorded task ids ↔ replayed ones (SpiffWorkflow draws a fresh uuid4 per task on every run).

    A pair is fixed the first time both sides name a task at the same event; from then on the
    recorded id must always meet the same replayed id, and no replayed id may serve two recorded ones."""

    def __init__(self) -> None:
        self.to_replayed: dict[str, str] = {}
        self.to_recorded: dict[str, str] = {}

    def match(self, recorded: str | None, replayed: str | None) -> bool:
        if recorded is None or replayed is None:
            return recorded is None and replayed is None
        known = self.to_replayed.get(recorded)
        if known is not None:
            return known == replayed
        if replayed in self.to_recorded:
            return False
        self.to_replayed[recorded] = replayed
        self.to_recorded[replayed] = recorded
        return True

    def replayed(self, recorded: str | None) -> str | None:
        return None if recorded is None else self.to_replayed.get(recorded)

    def recorded(self, replayed: str) -> str:
        return self.to_recorded.get(replayed, replayed)


COMPARED_FIELDS = ("seq", "at", "actor", "category", "type", "task_spec", "payload")


def compare_event(recorded: RecordedEvent | None, row: Mapping[str, Any], ids: TaskIdMap) -> Divergence | None:
    """None when the replayed row says what the recorded event says, else the divergence."""
    if recorded is not None and _same_as_stored(recorded, row) and ids.match(recorded.task_id, row["task_id"]):
        return None  # the common case, without parsing the payload or formatting times
    got = produced_summary(row)
    if recorded is None:
        return Divergence(row["seq"], "event missing from the log",
                          f"replay produced {row['type']} ({row['task_spec'] or '-'}) but the log ends", None, got)
    expected = recorded.summary()
    if recorded.seq != row["seq"]:
        return Divergence(row["seq"], "event missing or out of order",
                          f"the log's event #{recorded.position} is seq {recorded.seq}, replay is at seq {row['seq']}",
                          expected, got)
    for name in COMPARED_FIELDS:
        if expected[name] != got[name]:
            path = first_difference(expected[name], got[name], name)
            return Divergence(row["seq"], "event differs",
                              f"{recorded.type} {recorded.task_spec or ''}: {path} differs".replace("  ", " "),
                              expected, got)
    if not ids.match(recorded.task_id, row["task_id"]):
        return Divergence(row["seq"], "event differs",
                          f"{recorded.type} {recorded.task_spec or ''}: task_id names another task than before",
                          expected, got)
    return None


def _same_as_stored(recorded: RecordedEvent, row: Mapping[str, Any]) -> bool:
    """Field by field equal to the stored row, payload text included: then the summaries are equal too."""
    return (recorded.raw_payload is not None and recorded.seq == row["seq"]
            and recorded.raw_payload == row["payload"] and recorded.type == row["type"]
            and recorded.category == row["category"] and recorded.at == row["at"] and recorded.actor == row["actor"]
            and recorded.task_spec == row["task_spec"])


def first_difference(expected: Any, got: Any, path: str = "") -> str:
    """The dotted path of the first place two JSON values differ."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key in sorted(set(expected) | set(got), key=str):
            if key not in expected or key not in got or expected[key] != got[key]:
                return first_difference(expected.get(key), got.get(key), f"{path}.{key}" if path else str(key))
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        for index, (a, b) in enumerate(zip(expected, got)):
            if a != b:
                return first_difference(a, b, f"{path}[{index}]")
    return path or "(value)"


def canonical_state(text: str) -> Any:
    """Stored workflow state with task ids renamed by tree position (`element#n`) and volatile stamps dropped,
    so two runs of the same inputs compare equal whatever uuid4 gave them."""
    state = json.loads(text) if text else {}
    names: dict[str, str] = {}
    _name_tree(state, names, "")
    # A nested subprocess (a call inside a called process) is named only once its caller's tree
    # is: take the subprocesses one at a time, always the first already named, so the order
    # never depends on the uuids of callers not yet reached.
    pending = set(state.get("subprocesses", {}))
    while pending:
        named = [tid for tid in pending if tid in names]
        task_id = min(named, key=names.__getitem__) if named else min(pending)
        pending.discard(task_id)
        _name_tree(state["subprocesses"][task_id], names, names.get(task_id, "?") + "/")
    return _rename(state, names)


def _name_tree(workflow: Mapping[str, Any], names: dict[str, str], prefix: str) -> None:
    tasks = workflow.get("tasks", {})
    stack: list[str] = [workflow.get("root") or ""]
    while stack:
        task_id = stack.pop()
        task = tasks.get(task_id)
        if task is None:
            continue
        names[task_id] = f"{prefix}{task.get('task_spec')}#{len(names)}"
        stack.extend(reversed(task.get("children", [])))


def _rename(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {names.get(k, k): sorted(v, key=str) if k in SET_LIKE_FIELDS and isinstance(v, list)
                else _rename(v, names) for k, v in value.items() if k not in VOLATILE_TASK_FIELDS}
    if isinstance(value, list):
        return [_rename(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value
