"""Activity heatmap of a process definition: how many instances passed each element and each sequence flow."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import N_, NotFound
from engine.models import DefinitionFile, InstanceEvent, ProcessDefinition, ProcessInstance
from engine.persistence import Database
from engine.history.coverage import FLOW_EVENTS, sequence_flows, taken_transitions

# Events that say a token reached an element: ready (user tasks wait there) or done.
REACHED = FLOW_EVENTS


@dataclass
class Count:
    instances: int = 0
    passes: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"instances": self.instances, "passes": self.passes}


@dataclass
class Heatmap:
    """Per element and per sequence flow id: distinct instances and total passes (loop rounds count each)."""

    key: str
    versions: list[int]
    instances: int
    elements: dict[str, Count] = field(default_factory=dict)
    flows: dict[str, Count] = field(default_factory=dict)
    # Flows seen in events that no sequence flow of the diagram connects (e.g. an older version's).
    unmatched_flows: dict[str, Count] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "process": self.key, "versions": self.versions, "instances": self.instances,
            "elements": {k: v.as_dict() for k, v in sorted(self.elements.items())},
            "flows": {k: v.as_dict() for k, v in sorted(self.flows.items())},
            "unmatched_flows": {k: v.as_dict() for k, v in sorted(self.unmatched_flows.items())},
        }


class HeatmapService:
    def __init__(self, db: Database):
        self.db = db

    def activity(self, key: str, version: int | None = None) -> Heatmap:
        """Counts over every instance of `key` (or of one version), read from their event logs."""
        with self.db.unit_of_work(write=False) as session:
            definitions = self._definitions(session, key, version)
            ids = [d.id for d in definitions]
            flow_ids: dict[tuple[str, str, str], str] = {}
            for definition in definitions:
                files = dict(session.execute(select(DefinitionFile.name, DefinitionFile.content)
                                             .where(DefinitionFile.definition_id == definition.id)).all())
                for flow in sequence_flows(files):
                    flow_ids.setdefault((flow.process, flow.source, flow.target), flow.id)
            instances = session.scalar(select(func.count()).select_from(ProcessInstance)
                                       .where(ProcessInstance.definition_id.in_(ids))) or 0
            rows = session.execute(
                select(InstanceEvent.instance_id, InstanceEvent.type, InstanceEvent.task_id, InstanceEvent.payload)
                .join(ProcessInstance, ProcessInstance.id == InstanceEvent.instance_id)
                .where(ProcessInstance.definition_id.in_(ids), InstanceEvent.type.in_(REACHED))
            ).all()
        heatmap = Heatmap(key, [d.version for d in definitions], instances)
        _count_into(heatmap, rows, flow_ids)
        return heatmap

    @staticmethod
    def _definitions(session: Session, key: str, version: int | None) -> list[ProcessDefinition]:
        query = select(ProcessDefinition).where(ProcessDefinition.key == key).order_by(ProcessDefinition.version)
        if version is not None:
            query = query.where(ProcessDefinition.version == version)
        found = list(session.scalars(query))
        if not found:
            raise (NotFound(N_("no process '%(key)s'"), key=key) if version is None else
                   NotFound(N_("no process '%(key)s' version %(version)s"), key=key, version=version))
        return found


def _count_into(heatmap: Heatmap, rows: Sequence[Any], flow_ids: dict[tuple[str, str, str], str]) -> None:
    events_of: dict[str, list[tuple[str, str | None, dict[str, Any]]]] = defaultdict(list)
    for instance_id, type_, task_id, text in rows:
        events_of[instance_id].append((type_, task_id, json.loads(text)))
    element_instances: dict[str, set[str]] = defaultdict(set)
    flow_instances: dict[str, set[str]] = defaultdict(set)
    passes: Counter[str] = Counter()
    flow_passes: Counter[str] = Counter()
    for instance_id, events in events_of.items():
        # A user task appears twice (ready, then done) under one task id: each task is one pass.
        reached = {(task_id, str(payload["element"])) for _, task_id, payload in events if payload.get("element")}
        for _, element in reached:
            element_instances[element].add(instance_id)
            passes[element] += 1
        for (process, source, target), count in taken_transitions(events).items():
            flow = flow_ids.get((process, source, target)) or f"{source}->{target}"
            flow_instances[flow].add(instance_id)
            flow_passes[flow] += count
    for element, who in element_instances.items():
        heatmap.elements[element] = Count(len(who), passes[element])
    known = set(flow_ids.values())
    for flow, who in flow_instances.items():
        table = heatmap.flows if flow in known else heatmap.unmatched_flows
        table[flow] = Count(len(who), flow_passes[flow])
