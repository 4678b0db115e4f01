"""Moving a running workflow from its pinned version to another: what it would lose, whether it can, doing it.

Built on SpiffWorkflow's `diff_workflow` / `migrate_workflow`: tasks are aligned by element id; tasks
that are READY or WAITING are reset and predicted again on the new version (their ids stay, so the
inbox and the event log keep naming the same task). An instance can move only when every task left
in its tree has a counterpart in the target version and every running subprocess exists there too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import WorkflowDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.definitions.calls import BOUND
from engine.errors import Conflict

# Tasks migrate_workflow resets (and re-predicts) on the new version; their descendants are dropped.
RESET = TaskState.READY | TaskState.WAITING
# Tasks that hold a token: losing one of them loses work in progress.
TOKEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
# Internal-data key under which a task keeps the BPMN id of the element its token came from (coverage,
# heatmap; set by engine/runtime/step.py), kept across a migration's reset.
CAME_FROM = "casedesk_from"


@dataclass(frozen=True)
class TaskChange:
    """One task of the instance the migration touches."""

    element: str
    name: str
    process: str
    state: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        found = {"element": self.element, "name": self.name, "process": self.process, "state": self.state}
        return found | ({"detail": self.detail} if self.detail else {})


@dataclass
class MigrationCheck:
    """What moving one instance would do: tokens lost, tasks whose element changed, elements added,
    and why it cannot move (empty when it can)."""

    lost: list[TaskChange] = field(default_factory=list)
    changed: list[TaskChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def can_move(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict[str, Any]:
        return {"can_move": self.can_move, "reasons": list(self.reasons),
                "lost": [t.as_dict() for t in self.lost], "changed": [t.as_dict() for t in self.changed],
                "added": list(self.added)}


class MigrationRefused(Conflict):
    """The instance cannot move to the target version; the reasons say why."""

    def __init__(self, check: MigrationCheck):
        super().__init__("; ".join(check.reasons))
        self.check = check


def check_migration(workflow: BpmnWorkflow, spec: Any, subprocess_specs: dict[str, Any],
                    registry: Any) -> MigrationCheck:
    """Compare the workflow with the target specs without changing it."""
    check, _ = _plan(workflow, spec, subprocess_specs, registry)
    return check


def migrate(workflow: BpmnWorkflow, spec: Any, subprocess_specs: dict[str, Any], registry: Any) -> MigrationCheck:
    """Move the workflow onto the target specs in place; MigrationRefused (workflow untouched) when it cannot."""
    check, diffs = _plan(workflow, spec, subprocess_specs, registry)
    if not check.can_move:
        raise MigrationRefused(check)
    came_from = {task.id: task.internal_data.get(CAME_FROM)
                 for wf in _workflows(workflow) for task in wf.tasks.values() if task.state & RESET}
    for sub_id, diff in diffs.items():
        sub = workflow if sub_id is None else workflow.subprocesses[sub_id]
        target = spec if sub_id is None else subprocess_specs[sub.spec.name]
        migrate_workflow(diff, sub, target)
    workflow.subprocess_specs = subprocess_specs
    for wf in _workflows(workflow):
        for task in wf.tasks.values():
            if came_from.get(task.id) is not None:
                task.internal_data[CAME_FROM] = came_from[task.id]
    return check


def _plan(workflow: BpmnWorkflow, spec: Any, subprocess_specs: dict[str, Any],
          registry: Any) -> tuple[MigrationCheck, dict[Any, WorkflowDiff]]:
    check = MigrationCheck()
    top, sub_diffs = diff_workflow(registry, workflow, spec, subprocess_specs)
    diffs: dict[Any, WorkflowDiff] = {None: top}
    for sub_id, diff in sub_diffs.items():
        sub = workflow.subprocesses[sub_id]
        if _runs_bound_version(workflow, sub):
            continue  # a late-bound call keeps the version it bound; the caller's new version does not change it
        if diff is None:
            check.reasons.append(f"subprocess {sub.spec.name!r} is running, and the target version has no process "
                                 f"{sub.spec.name!r}")
        else:
            diffs[sub_id] = diff
    for sub_id, diff in diffs.items():
        wf = workflow if sub_id is None else workflow.subprocesses[sub_id]
        _check_tasks(wf, diff, check, registry)
    check.added = sorted(_label(s) for s in spec.task_specs.values()
                         if getattr(s, "bpmn_id", None) and s.name not in workflow.spec.task_specs)
    return check, diffs


def _check_tasks(wf: Any, diff: WorkflowDiff, check: MigrationCheck, registry: Any) -> None:
    dropped = {d.id for task in wf.tasks.values() if task.state & RESET for d in _descendants(task)}
    removed = {task.id for task in diff.removed}
    changed = {task.id: task for task in diff.changed}
    for task in _tree_order(wf):
        if task.id in dropped:
            continue
        change = _change(task)
        if task.id in removed:
            if task.state & TOKEN:
                check.lost.append(change)
                check.reasons.append(f"a token is at {_label(task.task_spec)} ({change.state}), which the target "
                                     "version does not have")
            elif task.state & TaskState.FINISHED_MASK:
                check.reasons.append(f"{_label(task.task_spec)} ({change.state}) is still in the instance's task "
                                     "tree and the target version does not have it")
            else:
                check.reasons.append(f"{_label(task.task_spec)} is predicted to come next and the target "
                                     "version does not have it")
        elif task.id in changed and task.state & TOKEN:
            target = diff.alignment.get(task)
            # SpiffWorkflow aligns an element whose id changed by its place in the flow: say where it goes.
            detail = (f"moves to {_label(target)}" if target is not None and target.name != task.task_spec.name
                      else changed_attributes(registry, task.task_spec, target))
            check.changed.append(TaskChange(change.element, change.name, change.process, change.state, detail))


def changed_attributes(registry: Any, old: Any, new: Any) -> str:
    """The attributes of an element that differ between two versions, as the serializer sees them."""
    if new is None:
        return ""
    before, after = registry.convert(old), registry.convert(new)
    names = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return ", ".join(names)


def _change(task: Task) -> TaskChange:
    spec = task.task_spec
    return TaskChange(getattr(spec, "bpmn_id", None) or spec.name, getattr(spec, "bpmn_name", None) or "",
                      task.workflow.spec.name, TaskState.get_name(task.state))


def _label(spec: Any) -> str:
    element = getattr(spec, "bpmn_id", None) or spec.name
    name = getattr(spec, "bpmn_name", None)
    return f"{element} ({name})" if name else element


def _descendants(task: Task) -> Iterable[Task]:
    stack = list(task.children)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _tree_order(wf: Any) -> list[Task]:
    # The task dict, not the depth-limited iterator, in a stable order: tree order from the root.
    seen: list[Task] = []
    stack = [wf.task_tree]
    while stack:
        node = stack.pop()
        seen.append(node)
        stack.extend(reversed(node.children))
    return seen


def _runs_bound_version(workflow: BpmnWorkflow, sub: Any) -> bool:
    """Whether a subprocess runs a version its call bound (or sits inside one), not the caller's bundle copy."""
    while sub is not workflow:
        parent = workflow.get_task_from_id(sub.parent_task_id)
        if parent.internal_data.get(BOUND) is not None:
            return True
        sub = parent.workflow
    return False


def _workflows(workflow: BpmnWorkflow) -> list[Any]:
    return [workflow, *workflow.subprocesses.values()]
