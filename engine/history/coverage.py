"""Which sequence flows of a definition the recorded events show as taken (acceptance coverage,
activity heatmaps): every `task_done`/`task_ready` effect names its element and where it came from."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

from engine.definitions.xmlsafe import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
FLOW_EVENTS = ("task_done", "task_ready")


@dataclass(frozen=True)
class Flow:
    process: str
    id: str
    source: str
    target: str


def sequence_flows(files: Mapping[str, bytes]) -> list[Flow]:
    """Every sequence flow of every executable process in the BPMN files of a bundle."""
    flows = []
    for filename, content in sorted(files.items()):
        if not filename.endswith(".bpmn"):
            continue
        root = parse_xml(content, filename).getroot()
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
                flows.append(Flow(process.get("id", ""), flow.get("id", ""),
                                  flow.get("sourceRef", ""), flow.get("targetRef", "")))
    return flows


def taken_transitions(events: Iterable[tuple[str, str | None, Mapping[str, object]]]
                      ) -> Counter[tuple[str, str, str]]:
    """(process, source element, target element) → how many tokens went that way, from
    (type, task id, payload) of recorded events. A user task is seen twice (ready, then done)
    for one passage, so each task id counts once."""
    by_task: dict[str, tuple[str, str, str]] = {}
    for type_, task_id, payload in events:
        if type_ not in FLOW_EVENTS or task_id is None:
            continue
        source, target = payload.get("from"), payload.get("element")
        if not isinstance(target, str):
            continue
        process = str(payload.get("process", ""))
        if isinstance(source, str):
            by_task.setdefault(task_id, (process, source, target))
        merged = payload.get("merged_from")
        for index, other in enumerate(merged if isinstance(merged, list) else []):
            by_task.setdefault(f"{task_id}/{index}", (process, str(other), target))
    return Counter(by_task.values())


@dataclass
class FlowCoverage:
    flows: list[Flow]
    taken: set[tuple[str, str, str]]

    def by_process(self) -> dict[str, tuple[list[Flow], list[Flow]]]:
        """process id → (taken flows, missing flows)."""
        result: dict[str, tuple[list[Flow], list[Flow]]] = {}
        for flow in self.flows:
            taken, missing = result.setdefault(flow.process, ([], []))
            (taken if (flow.process, flow.source, flow.target) in self.taken else missing).append(flow)
        return result

    def missing(self) -> list[Flow]:
        return [flow for _taken, missing in self.by_process().values() for flow in missing]

    def report(self) -> str:
        lines = []
        for process, (taken, missing) in sorted(self.by_process().items()):
            total = len(taken) + len(missing)
            lines.append(f"{process}: {len(taken)}/{total} sequence flows "
                         f"({100.0 * len(taken) / total if total else 100.0:.0f} %)")
            lines.extend(f"    missing {flow.id}: {flow.source} -> {flow.target}" for flow in missing)
        return "\n".join(lines)
