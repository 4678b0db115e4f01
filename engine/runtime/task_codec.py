"""One task of the stored state written and read directly, not through the serializer registry's generic dispatch.

Both directions give exactly what SpiffWorkflow 3.2's TaskConverter gives (tests/unit/test_state_dump.py holds
them equal): the dump is the library's JSON text for text, and a load builds the same tasks with the same data.
They exist because a step pays for them: a warm step dumps the state, and a step whose instance's last step ran on
another worker (or before a restart) loads it first.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any, Callable
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

IdTexts = Callable[[UUID], str]
_ID_TEXTS = "_casedesk_id_texts"  # where a workflow remembers its task ids' texts between dumps


def task_to_json_dict(task: Task, tasks: dict[UUID, Task], texts: IdTexts) -> dict[str, Any]:
    """TaskConverter.to_dict (SpiffWorkflow 3.2) with the typename the registry adds, for the encoder."""
    parent = tasks.get(task._parent) if task._parent is not None else None
    if parent is None:
        data, delta = task.data, {}
    else:
        data, before, after = {}, parent.data, task.data
        delta = {"updates": {key: after[key] for key in after if key not in before or after[key] != before[key]},
                 "deletions": [key for key in before if key not in after]}
    internal = task.internal_data
    return {
        "id": texts(task.id),
        "parent": texts(task._parent) if parent is not None else None,
        "children": [texts(child) for child in task._children],
        "last_state_change": task.last_state_change,
        "state": task._state,
        "task_spec": task.task_spec.name,
        "triggered": task.triggered,
        "internal_data": {k: v for k, v in internal.items() if not callable(v) and not isinstance(v, ModuleType)},
        "data": data,
        "delta": delta,
        "typename": "Task",
    }


def id_texts(workflow: Any) -> IdTexts:
    """str() of task ids, remembered on the workflow between dumps (most tasks outlive a step; a load leaves
    the texts it read)."""
    known: dict[UUID, str] = getattr(workflow, _ID_TEXTS, None) or {}
    kept = {task_id: known.get(task_id) or str(task_id) for task_id in workflow.tasks}
    setattr(workflow, _ID_TEXTS, kept)

    def text(task_id: UUID) -> str:
        found = kept.get(task_id)
        return found if found is not None else str(task_id)
    return text


def read_tasks(converter: Any, stored: dict[str, Any], workflow: Any) -> dict[UUID, Task]:
    """`converter.mapping_from_dict(stored, UUID, workflow=workflow)` for a workflow's stored tasks."""
    tasks = TaskReader(converter.registry.restore).tasks(stored, workflow)
    return tasks if tasks is not None else converter.mapping_from_dict(stored, UUID, workflow=workflow)


class TaskReader:
    """Builds a workflow's tasks from the `tasks` part of a parsed state as TaskConverter.from_dict does.

    The library constructs each id four times (as a key, an id, a parent, a child) and walks every value
    through the registry; here each id is built once, and only values that carry a `typename` (a date, a
    timedelta, ...) go to the registry: everything else `json.loads` made is already what a restore returns.
    """

    def __init__(self, restore_typed: Callable[[Any], Any]):
        self._restore_typed = restore_typed  # the registry's restore, for values that name their type

    def tasks(self, stored: dict[str, Any], workflow: Any) -> dict[UUID, Task] | None:
        """The tasks keyed by id, added to `workflow` in stored order; None when a task is not a plain
        `Task` (the caller then goes the library's way)."""
        if any(task.get("typename") != "Task" for task in stored.values()):
            return None
        ids = {text: UUID(text) for text in stored}
        restored = {ids[text]: self._task(task, workflow, ids) for text, task in stored.items()}
        setattr(workflow, _ID_TEXTS, {uuid: text for text, uuid in ids.items() if _canonical(text)})
        return restored

    @staticmethod
    def uuid(ids: dict[str, UUID], text: str) -> UUID:
        found = ids.get(text)
        return found if found is not None else UUID(text)

    def _task(self, dct: dict[str, Any], workflow: Any, ids: dict[str, UUID]) -> Task:
        restore = self._value
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = Task(workflow, task_spec, state=dct["state"], id=self.uuid(ids, dct["id"]))
        parent = dct["parent"]
        task._parent = self.uuid(ids, parent) if parent is not None else None
        task._children = [self.uuid(ids, child) for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        if delta and task.parent is not None:
            data = DeepMerge.merge({}, task.parent.data)
            data.update(restore(delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                if key in data:
                    del data[key]
        else:
            data = restore(dct["data"])
        task.data = data
        return task

    def _value(self, value: Any) -> Any:
        """The registry's restore of a value `json.loads` made (dicts, lists and plain scalars only)."""
        kind = type(value)
        if kind is dict:
            if "typename" in value:
                return self._restore_typed(value)
            restore = self._value
            return {key: restore(item) for key, item in value.items()}
        if kind is list:
            restore = self._value
            return [restore(item) for item in value]
        return value


def _canonical(text: str) -> bool:
    """Whether `text` is what str() of its UUID gives (so a later dump may write it back unchanged)."""
    return len(text) == 36 and text[8] == text[13] == text[18] == text[23] == "-" and text == text.lower()
