"""Activity heatmap of a process definition: how many instances passed each element and each sequence flow."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .errors import NotFound
from .models import DefinitionFile, InstanceEvent, ProcessDefinition, ProcessInstance
from .persistence import Database
from .xmlsafe import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# Events that say a token reached an element: ready (user tasks wait there) or done.
REACHED = ("task_ready", "task_done")


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


def sequence_flows(files: dict[str, bytes]) -> dict[tuple[str, str], str]:
    """(sourceRef, targetRef) → sequence flow id, from the stored BPMN files of a version."""
    flows: dict[tuple[str, str], str] = {}
    for name, content in sorted(files.items()):
        if not name.endswith(".bpmn"):
            continue
        for flow in parse_xml(content, name).iter(f"{{{BPMN_NS}}}sequenceFlow"):
            flows.setdefault((flow.get("sourceRef", ""), flow.get("targetRef", "")), flow.get("id", ""))
    return flows


class HeatmapService:
    def __init__(self, db: Database):
        self.db = db

    def activity(self, key: str, version: int | None = None) -> Heatmap:
        """Counts over every instance of `key` (or of one version), read from their event logs."""
        with self.db.unit_of_work(write=False) as session:
            definitions = self._definitions(session, key, version)
            ids = [d.id for d in definitions]
            flow_ids: dict[tuple[str, str], str] = {}
            for definition in definitions:
                files = dict(session.execute(select(DefinitionFile.name, DefinitionFile.content)
                                             .where(DefinitionFile.definition_id == definition.id)).all())
                for pair, flow_id in sequence_flows(files).items():
                    flow_ids.setdefault(pair, flow_id)
            instances = session.scalar(select(func.count()).select_from(ProcessInstance)
                                       .where(ProcessInstance.definition_id.in_(ids))) or 0
            rows = session.execute(
                select(InstanceEvent.instance_id, InstanceEvent.task_id, InstanceEvent.payload)
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
            raise NotFound(f"no process {key!r}" + (f" version {version}" if version is not None else ""))
        return found


def _count_into(heatmap: Heatmap, rows: Sequence[Any], flow_ids: dict[tuple[str, str], str]) -> None:
    # A user task appears twice (ready, then done) under one task id: each task is one pass.
    seen: set[tuple[str, str | None, str]] = set()
    element_instances: dict[str, set[str]] = defaultdict(set)
    flow_instances: dict[str, set[str]] = defaultdict(set)
    passes: dict[str, int] = defaultdict(int)
    flow_passes: dict[str, int] = defaultdict(int)
    for instance_id, task_id, text in rows:
        payload = json.loads(text)
        element = payload.get("element")
        if not element or (instance_id, task_id, element) in seen:
            continue
        seen.add((instance_id, task_id, element))
        element_instances[element].add(instance_id)
        passes[element] += 1
        source = payload.get("from")
        if source:
            flow = flow_ids.get((source, element)) or f"{source}->{element}"
            flow_instances[flow].add(instance_id)
            flow_passes[flow] += 1
    for element, who in element_instances.items():
        heatmap.elements[element] = Count(len(who), passes[element])
    known = set(flow_ids.values())
    for flow, who in flow_instances.items():
        target = heatmap.flows if flow in known else heatmap.unmatched_flows
        target[flow] = Count(len(who), flow_passes[flow])
