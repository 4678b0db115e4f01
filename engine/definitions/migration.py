"""Moving a running workflow from its pinned version to another: what it would lose, whether it can, doing it.

Built on SpiffWorkflow's `diff_workflow` / `migrate_workflow`: tasks are aligned by element id; tasks
that are READY or WAITING are reset and predicted again on the new version (their ids stay, so the
inbox and the event log keep naming the same task). An instance can move only when every task left
in its tree has a counterpart in the target version and every running subprocess exists there too.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
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


# What an owner calls an element's attributes as SpiffWorkflow's serializer names them (web/owner/migration_text.py
# translates these words); `extensions` is opened up into the casedesk properties it holds.
ATTRIBUTE_WORDS = {
    "bpmn_name": "name", "documentation": "instructions", "lane": "lane", "inputs": "what leads to it",
    "outputs": "what comes after it", "script": "script", "prescript": "script before", "postscript": "script after",
    "event_definition": "event (timer, message, signal)", "cond_task_specs": "conditions",
    "default_task_spec": "default flow", "operation_name": "service operator", "operation_params": "service parameters",
    "result_variable": "result variable", "data_input_associations": "data in", "data_output_associations": "data out",
    "io_specification": "data in and out", "typename": "kind of element", "description": "kind of element",
    "manual": "manual", "calledElement": "called process", "calledElementBinding": "call binding",
    "calledElementVersion": "called version", "formJsonSchemaFilename": "form", "formUiSchemaFilename": "form layout",
    "candidateGroups": "candidate groups", "assignee": "assignee", "dueAt": "due at", "businessKey": "business key",
    "retry": "retry", "instructionsForEndUser": "instructions", "serviceTaskOperator": "service operator",
    "properties": "properties", "unitTests": "test cases", "preScript": "script before", "postScript": "script after",
}
# A task's state in an owner's words (TaskState names otherwise).
STATE_WORDS = {"READY": "ready", "WAITING": "waiting", "STARTED": "started", "ERROR": "failed",
               "COMPLETED": "completed", "CANCELLED": "cancelled", "LIKELY": "predicted", "MAYBE": "predicted",
               "FUTURE": "predicted"}


@dataclass(frozen=True)
class TaskChange:
    """One task of the instance the migration touches."""

    element: str
    name: str
    process: str
    state: str
    detail: str = ""  # as logged: the serializer's names of what changed, or "moves to" the element it aligns with
    # What changed, in an owner's words (ATTRIBUTE_WORDS), or the element it moves to when aligned by place.
    attributes: tuple[str, ...] = ()
    moves_to: str = ""

    def logged(self) -> dict[str, str]:
        """As the `instance_migrated` event records it (replay produces it again: never change its form)."""
        found = {"element": self.element, "name": self.name, "process": self.process, "state": self.state}
        return found | ({"detail": self.detail} if self.detail else {})

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = self.logged()
        if self.attributes:
            found["attributes"] = list(self.attributes)
        if self.moves_to:
            found["moves_to"] = self.moves_to
        return found

    @property
    def label(self) -> str:
        return f"{self.element} ({self.name})" if self.name else self.element

    def describe(self) -> str:
        """One line of the dry run: the task, its state, and what changes."""
        state = _state(self.state)
        what = f"moves to {self.moves_to}" if self.moves_to else ", ".join(self.attributes)
        return f"{self.label}, {state}" + (f": {what}" if what else "")


# Why an instance cannot move, by kind (web/owner/migration_text.py words each kind in the page's language).
TOKEN_LOST, FINISHED_MISSING, PREDICTED_MISSING, SUBPROCESS_MISSING, MOVED_ON, OTHER = (
    "token_lost", "finished_missing", "predicted_missing", "subprocess_missing", "moved_on", "other")


@dataclass(frozen=True)
class Refusal:
    """One reason an instance cannot move: its kind, what it is about, and the sentence."""

    kind: str
    text: str
    subject: str = ""
    state: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass
class MigrationCheck:
    """What moving one instance would do: tokens lost, tasks whose element changed, elements added,
    and why it cannot move (empty when it can)."""

    lost: list[TaskChange] = field(default_factory=list)
    changed: list[TaskChange] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def can_move(self) -> bool:
        return not self.refusals

    @property
    def reasons(self) -> list[str]:
        return [r.text for r in self.refusals]

    def refuse(self, kind: str, text: str, subject: str = "", state: str = "") -> None:
        self.refusals.append(Refusal(kind, text, subject, state))

    @classmethod
    def refused(cls, kind: str, text: str, subject: str = "") -> "MigrationCheck":
        check = cls()
        check.refuse(kind, text, subject)
        return check

    def as_dict(self) -> dict[str, Any]:
        return {"can_move": self.can_move, "reasons": self.reasons,
                "refusals": [{"kind": r.kind, "subject": r.subject, "state": r.state} for r in self.refusals],
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
            check.refuse(SUBPROCESS_MISSING, f"subprocess {sub.spec.name!r} is running, and the target version has no "
                         f"process {sub.spec.name!r}", sub.spec.name)
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
        label = _label(task.task_spec)
        if task.id in removed:
            if task.state & TOKEN:
                check.lost.append(change)
                check.refuse(TOKEN_LOST, f"a token is at {label} ({_state(change.state)}), which the target version "
                             "does not have", label, change.state)
            elif task.state & TaskState.FINISHED_MASK:
                check.refuse(FINISHED_MISSING, f"{label} ({_state(change.state)}) is still in the instance's task tree and "
                             "the target version does not have it", label, change.state)
            else:
                check.refuse(PREDICTED_MISSING, f"{label} is predicted to come next and the target version does not "
                             "have it", label, change.state)
        elif task.id in changed and task.state & TOKEN:
            target = diff.alignment.get(task)
            # SpiffWorkflow aligns an element whose id changed by its place in the flow: say where it goes.
            if target is not None and target.name != task.task_spec.name:
                check.changed.append(replace(change, detail=f"moves to {_label(target)}", moves_to=_label(target)))
            else:
                check.changed.append(replace(change, detail=changed_attributes(registry, task.task_spec, target),
                                             attributes=tuple(owner_words(registry, task.task_spec, target))))


def changed_attributes(registry: Any, old: Any, new: Any) -> str:
    """The attributes of an element that differ between two versions, as the serializer sees them."""
    if new is None:
        return ""
    before, after = registry.convert(old), registry.convert(new)
    names = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return ", ".join(names)


def owner_words(registry: Any, old: Any, new: Any) -> list[str]:
    """What differs about an element between two versions, in an owner's words (ATTRIBUTE_WORDS; casedesk's
    properties one by one)."""
    if new is None:
        return []
    before, after = registry.convert(old), registry.convert(new)
    words: list[str] = []
    for name in sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k)):
        if name in ("name", "bpmn_id", "lookahead"):
            continue  # ids and SpiffWorkflow's bookkeeping: not what an owner changed
        if name == "extensions" and isinstance(before.get(name), dict) and isinstance(after.get(name), dict):
            words.extend(_extension_words(before[name], after[name]))
        else:
            words.append(ATTRIBUTE_WORDS.get(name, name))
    return list(dict.fromkeys(words))


def _extension_words(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    words = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name == "properties" and isinstance(old or {}, dict) and isinstance(new or {}, dict):
            old, new = old or {}, new or {}
            words.extend(ATTRIBUTE_WORDS.get(p, p) for p in sorted(set(old) | set(new)) if old.get(p) != new.get(p))
        else:
            words.append(ATTRIBUTE_WORDS.get(name, name))
    return words


def _state(name: str) -> str:
    return STATE_WORDS.get(name, name.lower())


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
