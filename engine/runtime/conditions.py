"""Conditional events: every waiting condition is evaluated again after each round of engine work.

SpiffWorkflow evaluates a conditional catch event only when its token arrives, so a condition that
becomes true later (a form, a script in another branch) would never fire it. The step calls
`refresh_conditions` until nothing more fires (intermediate and boundary conditional events).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.util.task import TaskState


def refresh_conditions(workflow: BpmnWorkflow) -> bool:
    """Evaluate the condition of every waiting conditional event; True when one became ready."""
    fired = False
    for task in list(workflow.event_manager.tasks.values()):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, ConditionalEventDefinition) and task.state == TaskState.WAITING:
            task.task_spec._update(task)
            fired = fired or task.state == TaskState.READY
    return fired
