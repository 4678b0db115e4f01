"""Time travel: an instance as it stood at any event — tokens, completed elements, data, who did what."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.clock import isoformat
from engine.history.coverage import FLOW_EVENTS, taken_transitions
from engine.errors import Conflict, InvalidInput, N_
from engine.history.eventlog import INPUT
from engine.history.replay import Observer, Replay
from engine.runtime.tasktree import all_workflows

if TYPE_CHECKING:
    from engine.history.service import StoredInstance

# Token states worth showing on a diagram: where the instance is, or waits.
TOKEN_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class StateAt:
    instance_id: str
    seq: int
    event: dict[str, Any]
    tokens: list[dict[str, Any]] = field(default_factory=list)
    completed: dict[str, int] = field(default_factory=dict)
    flows: dict[str, int] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    actors: list[dict[str, Any]] = field(default_factory=list)
    assignees: dict[str, str | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"instance": self.instance_id, "seq": self.seq, "event": self.event, "tokens": self.tokens,
                "completed": self.completed, "flows": self.flows, "data": self.data, "actors": self.actors,
                "assignees": self.assignees}


class _Reached(BaseException):
    """Stops the replay once the chosen event was reproduced (BaseException: no step code swallows it)."""


def state_at(stored: "StoredInstance", seq: int, replayer: Callable[["StoredInstance", Observer], Replay],
             flow_ids: dict[tuple[str, str, str], str]) -> StateAt:
    """Replay up to event `seq` and describe the instance at that moment; refuses when the
    history does not replay faithfully up to there (it would show something that never was)."""
    if not 1 <= seq <= len(stored.events):
        raise InvalidInput(N_("seq must be between 1 and %(last)s"), last=len(stored.events))
    if stored.definition_problem is not None:
        raise Conflict(N_("cannot show the state: %(problem)s"), problem=stored.definition_problem)
    builder = _Builder(stored.row.id, seq)
    builder.flow_ids = flow_ids
    replay = builder.replay = replayer(stored, builder.observe)
    try:
        divergence = replay.run()
    except _Reached:
        return builder.result
    raise Conflict(N_("the history does not replay up to seq %(seq)s: %(divergence)s"), seq=seq, divergence=divergence)


class _Builder:
    """Accumulates what the replayed events say, and snapshots the workflow at the chosen seq."""

    def __init__(self, instance_id: str, target: int):
        self.target = target
        self.replay: Replay | None = None
        self.completed: Counter[str] = Counter()
        self._transitions: list[tuple[str, str | None, dict[str, Any]]] = []
        self.flow_ids: dict[tuple[str, str, str], str] = {}
        self.data: dict[str, Any] = {}
        self.actors: list[dict[str, Any]] = []
        self.result = StateAt(instance_id, target, {})

    def observe(self, row: dict[str, Any], workflow: BpmnWorkflow | None) -> None:
        payload = json.loads(row["payload"])
        self._account(row, payload)
        if row["seq"] != self.target:
            return
        assert self.replay is not None
        ids = self.replay.ids
        recorded_id = ids.recorded(row["task_id"]) if row["task_id"] else None
        self.result.event = {"seq": row["seq"], "at": isoformat(row["at"]), "actor": row["actor"],
                             "category": row["category"], "type": row["type"], "task_id": recorded_id,
                             "task_spec": row["task_spec"], "payload": payload}
        self.result.tokens = _tokens(workflow, ids.recorded)
        self.result.completed = dict(self.completed)
        self.result.flows = self._flows()
        self.result.data = dict(self.data)
        self.result.actors = list(self.actors)
        self.result.assignees = {ids.recorded(t.id): t.assignee for t in self.replay.store.inbox.values()}
        raise _Reached()

    def _account(self, row: dict[str, Any], payload: dict[str, Any]) -> None:
        kind = row["type"]
        if kind == "instance_started":
            self.data.update(payload.get("data") or {})
        elif kind == "task_done":
            element = payload.get("element") or row["task_spec"]
            self.completed[element] += 1
            delta = payload.get("delta") or {}
            self.data.update(delta.get("set") or {})
            for name in delta.get("removed") or []:
                self.data.pop(name, None)
        if kind in FLOW_EVENTS:
            self._transitions.append((kind, row["task_id"], payload))
        if row["category"] == INPUT and row["actor"]:
            self.actors.append({"seq": row["seq"], "at": isoformat(row["at"]), "actor": row["actor"],
                                "type": kind, "element": row["task_spec"]})

    def _flows(self) -> dict[str, int]:
        """Sequence flow id (or `source->target` when the diagram has no such flow) → tokens that took it."""
        flows: Counter[str] = Counter()
        for (process, source, target), count in taken_transitions(self._transitions).items():
            flows[self.flow_ids.get((process, source, target)) or f"{source}->{target}"] += count
        return dict(flows)


def _tokens(workflow: BpmnWorkflow | None, recorded_id: Any) -> list[dict[str, Any]]:
    if workflow is None:
        return []
    tokens = []
    for wf in all_workflows(workflow):
        for task in wf.tasks.values():
            element = getattr(task.task_spec, "bpmn_id", None)
            if element is not None and task.state & TOKEN_STATES:
                tokens.append({"element": element, "state": TaskState.get_name(task.state),
                               "task_id": recorded_id(str(task.id)),
                               "process": getattr(wf.spec, "name", None)})
    return sorted(tokens, key=lambda t: (t["process"] or "", t["element"], t["state"]))
