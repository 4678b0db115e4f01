"""Late binding of call activities: which stored version of the called process a call runs.

A call activity binds when the call starts (Camunda's `calledElementBinding`): `latest` (the
default) runs the newest startable version of the called process, `deployment` the copy in the
caller's own bundle, `version` the number given by `calledElementVersion`. The step records the
binding as the input `call_bound`, so replay binds exactly what ran. The bound version's
definition id is kept on the call activity's task (internal data), so a workflow restored from
its stored state finds the same specs again — for the called process and for anything it calls
or embeds itself.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnSubWorkflowConverter
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.definitions.calls import BOUND
from engine.runtime.task_codec import read_tasks
from engine.runtime.walk import simple_filter, tasks_in_order, within_depth_limit

# The parsed specs of a stored version by definition id (DefinitionService.load).
Resolver = Callable[[int], Any]
# Decides a call's version when it starts: the definition (spec, subprocess_specs, id) or None for the bundle's copy.
Binder = Callable[[Task, str], Any]


class LateBindingWorkflow(BpmnWorkflow):
    """A workflow whose call activities ask the step which version to run; embedded subprocesses and
    `deployment` calls use the specs of the version the calling (sub)process itself runs. Its tree walks
    are engine.runtime.walk's where that gives the library's answer."""

    def __init__(self, spec: Any, subprocess_specs: Mapping[str, Any] | None = None, **kwargs: Any):
        super().__init__(spec, subprocess_specs, **kwargs)
        self.binder: Binder | None = None
        self.resolve: Resolver | None = None

    def get_tasks_iterator(self, first_task: Task | None = None, **kwargs: Any) -> Any:
        if (simple_filter(kwargs) and (first_task is None or first_task.workflow is self)
                and (not self.subprocesses or within_depth_limit(self))):
            return tasks_in_order(first_task or self.task_tree, subprocesses=self.subprocesses, **kwargs)
        return super().get_tasks_iterator(first_task, **kwargs)

    def update_waiting_tasks(self) -> None:
        # The library's walk here stays in this workflow's own tree, subprocesses or not.
        for task in tasks_in_order(self.task_tree, state=TaskState.WAITING):
            task.task_spec._update(task)

    def create_subprocess(self, my_task: Task, spec_name: str) -> BpmnSubWorkflow:
        spec = None
        if isinstance(my_task.task_spec, CallActivity) and self.binder is not None:
            bound = self.binder(my_task, spec_name)
            if bound is not None:
                my_task.internal_data[BOUND] = bound.id
                spec = bound.spec
        if spec is None:
            spec = self.specs_of(my_task.workflow)[spec_name]
        subprocess = BpmnSubWorkflow(spec, parent_task_id=my_task.id, top_workflow=self)
        self.subprocesses[my_task.id] = subprocess
        return subprocess

    def spec_for(self, task: Task) -> Any:
        """The spec the subprocess of `task` runs (restoring a stored state)."""
        bound = task.internal_data.get(BOUND)
        if bound is not None:
            return self._resolved(bound).spec
        return self.specs_of(task.workflow).get(task.task_spec.spec)

    def specs_of(self, workflow: Any) -> Mapping[str, Any]:
        """The subprocess specs of the version `workflow` (this one or a subprocess) runs."""
        if workflow is self:
            return self.subprocess_specs
        parent = self.get_task_from_id(workflow.parent_task_id)
        bound = parent.internal_data.get(BOUND)
        if bound is not None:
            return self._resolved(bound).subprocess_specs
        return self.specs_of(parent.workflow)

    def _resolved(self, definition_id: int) -> Any:
        if self.resolve is None:
            raise LookupError(f"the workflow runs a bound version (definition {definition_id}) but has no resolver")
        return self.resolve(definition_id)


class BoundSubWorkflowConverter(BpmnSubWorkflowConverter):
    """Restores a subprocess with the spec of the version its call bound (or its caller's own)."""

    def from_dict(self, dct: dict[str, Any], task: Task, top_workflow: Any) -> BpmnSubWorkflow:
        spec = top_workflow.spec_for(task) if isinstance(top_workflow, LateBindingWorkflow) else \
            top_workflow.subprocess_specs.get(task.task_spec.spec)
        subprocess = self.target_class(spec, task.id, top_workflow, deserializing=True)
        subprocess.tasks = read_tasks(self, dct["tasks"], subprocess)
        subprocess.task_tree = subprocess.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(subprocess, dct)
        return subprocess



def bound_version(task: Task) -> int | None:
    """The definition id of the version the nearest late-bound call around `task` runs (its forms and
    documentation live there), or None when the task runs in its instance's own version."""
    workflow = task.workflow
    top = workflow.top_workflow if hasattr(workflow, "top_workflow") else workflow
    while workflow is not top and getattr(workflow, "parent_task_id", None) is not None:
        caller = top.get_task_from_id(workflow.parent_task_id)
        bound = caller.internal_data.get(BOUND)
        if bound is not None:
            return int(bound)
        workflow = caller.workflow
    return None
