"""Multi-instance activities whose input item belongs to each instance, as BPMN 2.0 says, and whose
missing or non-list collection is refused in words rather than with Python's.

Without an output collection SpiffWorkflow 3.2 merges each finished instance's data into the
activity, input item included. The next instance (a sequential activity's second item, or a
parallel activity reached again through a loop) then finds that item already there and the step
fails with "Multiinstance input item ... already exists". Here the activity drops the leftover
item before it makes the next instance, which sets its own. Histories that ran before are
unchanged: the library failed exactly where this differs. The parser builds these classes through
an explicit override map (engine/definitions/parsing.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import ParallelMultiInstanceTask, SequentialMultiInstanceTask
from SpiffWorkflow.bpmn.exceptions import WorkflowDataException
from SpiffWorkflow.task import Task


class InstanceLocalItems:
    """Mixed into a multi-instance task spec: the input and output item never outlive their instance."""

    input_item: Any
    output_item: Any
    data_input: Any

    def check_collection(self, my_task: Task) -> None:
        """The library would fail with Python's own words ("'int' object is not iterable") in a parallel one."""
        if self.data_input is None:
            return
        name = self.data_input.bpmn_id
        if not self.data_input.exists(my_task) or self.data_input.get(my_task) is None:
            raise WorkflowDataException(f"the case data has no {name!r}, the collection this activity goes "
                                        "through item by item", my_task)
        if not isinstance(self.data_input.get(my_task), Iterable):
            raise WorkflowDataException(f"{name!r} in the case data is not a list, so this activity cannot go "
                                        "through it item by item", my_task)

    def create_child(self, my_task: Task, item: Any, key_or_index: Any = None) -> None:
        for data_item in (self.input_item, self.output_item):
            if data_item is not None and data_item.exists(my_task):
                del my_task.data[data_item.bpmn_id]
        super().create_child(my_task, item, key_or_index)  # type: ignore[misc]


class ParallelInstances(InstanceLocalItems, ParallelMultiInstanceTask):
    def create_children(self, my_task: Task) -> None:
        self.check_collection(my_task)
        super().create_children(my_task)


class SequentialInstances(InstanceLocalItems, SequentialMultiInstanceTask):
    def init_remaining_items(self, my_task: Task) -> Any:
        self.check_collection(my_task)
        return super().init_remaining_items(my_task)


def _with_local_items(parser: type[TaskParser]) -> type[TaskParser]:
    return type(parser.__name__, (parser,), {"PARALLEL_MI_CLASS": ParallelInstances,
                                              "SEQUENTIAL_MI_CLASS": SequentialInstances})


# Every activity parser of SpiffWorkflow's, making these multi-instance classes; merged into the
# parser's OVERRIDE_PARSER_CLASSES.
PARSER_OVERRIDES = {tag: (_with_local_items(parser), spec)
                    for tag, (parser, spec) in SpiffBpmnParser.OVERRIDE_PARSER_CLASSES.items()
                    if issubclass(parser, TaskParser) and getattr(parser, "PARALLEL_MI_CLASS", None)
                    is ParallelMultiInstanceTask}
