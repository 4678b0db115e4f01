"""Say where a script or expression failed at run time: the element (id and name) and the line."""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.exceptions import SpiffWorkflowException


def describe_failure(exc: SpiffWorkflowException) -> str:
    """`element (name), line N: `source line`: Error: message` for a task's script or expression failure;
    the library's own text for anything else."""
    task_spec = getattr(exc, "task_spec", None)
    bpmn_id = getattr(task_spec, "bpmn_id", None)
    if bpmn_id is None:
        return str(exc)
    name = getattr(task_spec, "bpmn_name", None)
    where = f"{bpmn_id} ({name})" if name else bpmn_id
    line = getattr(exc, "line_number", None)
    if line:
        where += f", line {line}"
        source = (getattr(exc, "error_line", None) or "").strip()
        if source:
            where += f" `{source}`"
    return f"{where}: {_what(exc)}"


# The library's words when a gateway finds no flow to take (exclusive: "... for <id>", inclusive: "... on gateway").
_NO_FLOW = "No conditions satisfied"
NO_FLOW_TAKEN = ("no outgoing flow's condition holds and the gateway has no default flow, so the instance cannot go "
                 "on; nothing was changed. A process owner can add a default flow or conditions that cover this case")


def _what(exc: SpiffWorkflowException) -> str:
    cause: Any = exc.__cause__ or exc.__context__  # the library raises its wrapper while handling the cause
    message = str(exc.args[0]) if exc.args else ""
    if message.startswith(_NO_FLOW):
        return NO_FLOW_TAKEN
    # The library notes "did you mean" hints; the line it also notes is already in the message.
    notes = [note.strip() for note in getattr(exc, "notes", [])
             if note and note.strip() and not note.startswith("Python script error")]
    if cause is None:
        text = message
    elif message.startswith("Error evaluating expression"):
        text = f"{message}: {type(cause).__name__}: {cause}"
    else:
        text = f"{type(cause).__name__}: {cause}"
    return ". ".join([text.rstrip("."), *notes]) if notes else text
