"""What the BPMN/DMN parser's complaints mean to a process owner: what is wrong and what to do."""
from __future__ import annotations

import re
from typing import Any

from lxml import etree

FIX_IN_MODELER = "Correct it in the modeler and deploy again."
# Library messages, matched at their start, and the sentence a process owner reads instead.
_SENTENCES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern, re.IGNORECASE), sentence) for pattern, sentence in (
    (r"Multiple outgoing flows are not supported",
     "has more than one outgoing sequence flow, which a task cannot split. Draw a gateway after it "
     "(exclusive to choose one path, parallel to take all of them) and connect the flows to the gateway."),
    (r"There is no support implemented for this task type",
     "is a kind of element casedesk cannot run. Replace it with a supported element "
     "(see the table of BPMN elements in the README)."),
    (r"Non-default exclusive outgoing sequence flow\s+without condition",
     "leaves a gateway without a condition and is not the gateway's default flow. Give it a condition, "
     "or mark it as the gateway's default flow."),
    (r"No start event found", "has no start event. Draw a start event where the process begins."),
    (r"Unknown Time Specification",
     "is a timer without a date, duration or cycle. Give the timer one, for example \"P3D\" for three days."),
    (r"Time Specification Error", "has a timer whose time cannot be read. Write it as an ISO 8601 date, "
     "duration or cycle in quotes, for example \"P3D\"."),
    (r"Conditional event definition with missing condition",
     "is a conditional event without a condition. Write the condition that triggers it."),
    (r"Expected an? (Message|Signal|Error|Escalation) node",
     "refers to a \\1 that is not defined in this file. Choose the \\1 in the modeler's properties panel."),
    (r"A loopMaximum or loopCondition must be specified",
     "loops without a maximum or a condition. Give the loop a condition or a maximum number of rounds."),
    (r"A multiinstance task must specify exactly one",
     "is a multi-instance activity with both a cardinality and a collection. Keep only one of them."),
    (r"A multiinstance task must specify",
     "is a multi-instance activity without a cardinality or a collection. Say how many instances to run "
     "(cardinality) or which list to run over (collection)."),
    (r"The loop (input|output) data reference is missing",
     "is a multi-instance activity whose \\1 collection is not declared. Declare it in the activity's data."),
    (r"Cancel Events may only be used with transactions",
     "is a cancel event outside a transaction. Use it only on a transaction subprocess, or use an error event."),
    (r"Exactly one start event is required in a SubWorkflow",
     "is a subprocess that needs exactly one start event. Keep one start event inside it."),
    (r"A SubWorkflow Must contain an End event", "is a subprocess without an end event. Draw one inside it."),
    (r"No \"calledElement\" attribute", "is a call activity that names no process. Choose the process it calls."),
    (r"Invalid Script Task", "is a script task without a script. Write the script, or use another kind of task."),
    (r"A Service Task must have an operator",
     "is a service task that names no service. Choose the service it calls in the properties panel."),
    (r"Duplicate process ID: (.*)", "uses the process id '\\1', which another process of the bundle uses too. "
     "Give each process its own id."),
    (r"Sequential ordering for ad hoc subprocesses",
     "is an ad-hoc subprocess with sequential ordering, which casedesk cannot run. Use parallel ordering "
     "or an ordinary subprocess."),
    (r"Ad hoc subprocesses may not contain start or end events",
     "is an ad-hoc subprocess with start or end events inside. Remove them: its tasks are started on demand."),
    (r"Cannot resolve data(Input|Output)Association",
     "has a data association to a data object that does not exist. Reconnect it or remove it."),
    (r"No decisions found", "holds no decision. Add a decision table, or leave the file out of the bundle."),
    (r"Multiple decision tables are not", "holds more than one decision table; casedesk reads one per file. "
     "Put each decision table in its own file."),
    (r"Unknown type in decision table", "holds an element a decision table cannot have. Remove it."),
    (r"Malformed Output Expression", "has an output entry that is not a valid expression. Correct the entry."),
    (r"No DMN Diagram available with id \"([^\"]*)\"", "calls the decision '\\1', which no DMN file of the bundle "
     "defines. Add the DMN file, or choose a decision that exists."),
    (r"(Message|Signal|Error|Escalation|Correlation|Data Store) identifier is missing",
     "defines a \\1 without an id. Give it an id in the modeler."),
    (r"Correlation is missing correlation property retrieval",
     "defines a correlation property without a retrieval expression. Say where in the message its value is."),
))
_REPR = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Warning)\((.*)\)$", re.DOTALL)
_CLASS_PREFIX = re.compile(r"\b[A-Za-z_][\w.]*(?:Error|Exception|Warning): ")
_ADDRESS = re.compile(r"<([\w.]+)[^<>]* at 0x[0-9a-fA-F]+>")


def owner_sentence(message: str, subject: str = "element") -> str:
    """The library's message as a process owner reads it: what is wrong, then what to do.

    `subject` is what the message is about ("user task", "file"), so the sentence can start "This user task …".
    """
    for pattern, sentence in _SENTENCES:
        match = pattern.match(message.strip())
        if match:
            return f"This {subject} {match.expand(sentence)}"
    if not message.strip():
        return f"This {subject} is invalid. {FIX_IN_MODELER}"
    if message.strip().endswith("."):  # casedesk's own refusals already say what to do
        return plain(message) + "."
    return f"{plain(message)}. {FIX_IN_MODELER}"


def plain(text: str) -> str:
    """A technical message without Python class names, reprs or memory addresses."""
    text = text.strip().rstrip(".")
    repr_match = _REPR.match(text)
    if repr_match:
        text = repr_match.group(1).strip("'\"")
    text = _CLASS_PREFIX.sub("", text)
    return _ADDRESS.sub(lambda m: m.group(1).rsplit(".", 1)[-1], text)


def element_kind(element: Any) -> str:
    """'user task' for a bpmn:userTask: the element's kind as words."""
    return kind_of_tag(element.tag if isinstance(element.tag, str) else "element")


def kind_of_tag(tag: str) -> str:
    """'user task' for '{…}userTask', 'bpmn:userTask' or 'userTask'."""
    local = tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] or "element"
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()


def element_label(element: Any) -> str:
    """The element's name, or what kind of element it is when it has none."""
    return (element.get("name") or "").strip() or f"unnamed {element_kind(element)}"
