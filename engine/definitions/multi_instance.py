"""Multi-instance activities whose input item belongs to each instance, as BPMN 2.0 says.

Without an output collection SpiffWorkflow 3.2 merges each finished instance's data into the
activity, input item included. The next instance (a sequential activity's second item, or a
parallel activity reached again through a loop) then finds that item already there and the step
fails with "Multiinstance input item ... already exists". Here the activity drops the leftover
item before it makes the next instance, which sets its own. Histories that ran before are
unchanged: the library failed exactly where this differs. The parser builds these classes through
an explicit override map (engine/definitions/parsing.py).
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import ParallelMultiInstanceTask, SequentialMultiInstanceTask
from SpiffWorkflow.task import Task


class InstanceLocalItems:
    """Mixed into a multi-instance task spec: the input and output item never outlive their instance."""

    input_item: Any
    output_item: Any

    def create_child(self, my_task: Task, item: Any, key_or_index: Any = None) -> None:
        for data_item in (self.input_item, self.output_item):
            if data_item is not None and data_item.exists(my_task):
                del my_task.data[data_item.bpmn_id]
        super().create_child(my_task, item, key_or_index)  # type: ignore[misc]


class ParallelInstances(InstanceLocalItems, ParallelMultiInstanceTask):
    pass


class SequentialInstances(InstanceLocalItems, SequentialMultiInstanceTask):
    pass


def _with_local_items(parser: type[TaskParser]) -> type[TaskParser]:
    return type(parser.__name__, (parser,), {"PARALLEL_MI_CLASS": ParallelInstances,
                                              "SEQUENTIAL_MI_CLASS": SequentialInstances})


# Every activity parser of SpiffWorkflow's, making these multi-instance classes; merged into the
# parser's OVERRIDE_PARSER_CLASSES.
PARSER_OVERRIDES = {tag: (_with_local_items(parser), spec)
                    for tag, (parser, spec) in SpiffBpmnParser.OVERRIDE_PARSER_CLASSES.items()
                    if issubclass(parser, TaskParser) and getattr(parser, "PARALLEL_MI_CLASS", None)
                    is ParallelMultiInstanceTask}
