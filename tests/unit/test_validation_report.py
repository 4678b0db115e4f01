"""The validation report says everything at once, in words a process owner can act on."""
from __future__ import annotations

import re
from pathlib import Path

from engine.definitions.owner_messages import owner_sentence, plain
from engine.definitions.validation import validate_bundle

MANY_BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn" / "many_broken"
OPERATORS = {"publish_document"}
# What a process owner must never have to read: Python class names, reprs and memory addresses.
TECHNICAL = re.compile(r"\b[A-Z]\w*(Error|Exception)\b|\bat 0x[0-9a-f]+|Traceback|SpiffWorkflow|NoneType|\w+\(['\"]")


def many_broken() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(MANY_BROKEN.iterdir())}


def test_every_problem_of_every_file_is_reported_at_once() -> None:
    problems = validate_bundle(many_broken(), OPERATORS)
    where = {(p.file, p.element_id, p.element_name) for p in problems}
    assert where >= {
        ("malformed.bpmn", "fill_in", "Fill in"),                      # not well-formed XML
        ("intake.bpmn", "notify", "Notify the customer"),              # XSD violation and unknown operator
        ("intake.bpmn", "compute_fee", "Compute the fee"),             # script syntax error
        ("intake.bpmn", "list_files", "unnamed script task"),          # forbidden import, element without name
        ("intake.bpmn", "large_amount", "large"),                      # bad condition on its sequence flow
        ("intake.bpmn", "review", "Review the request"),               # form file missing
        ("intake.bpmn", "approve", "Approve"),                         # invalid JSON Schema
        ("intake.bpmn", "archive", "Archive the case"),                # unknown called process
        ("followup.bpmn", "call_customer", "Call the customer"),       # parser's first problem in the process ...
        ("followup.bpmn", "no", "no"),                                 # ... and its second one
        ("followup.bpmn", "wait_reply", "Reply arrived"),              # bad timer expression
        ("level.dmn", "rule_small_amount", "Amount"),                  # broken DMN rule
        ("priority.dmn", "priority_table", "unnamed decision table"),  # DMN against its XSD
    }
    notify = [p.message for p in problems if p.element_id == "notify"]
    assert any("serviceTaskOperator" in m for m in notify) and any("'send_pigeon'" in m for m in notify)
    assert [p.file for p in problems] == sorted(p.file for p in problems), "grouped by file"


def test_no_problem_has_an_empty_element_or_technical_words() -> None:
    for problem in validate_bundle(many_broken(), OPERATORS):
        assert problem.file and problem.element_id and problem.element_name, problem
        assert not TECHNICAL.search(problem.message), problem
        # What is wrong, then what to do: at least two sentences, the last one an instruction.
        assert problem.message.endswith(".") and ". " in problem.message, problem


def test_parser_refusals_read_as_sentences_about_the_element() -> None:
    problems = {p.element_id: p.message for p in validate_bundle(many_broken(), OPERATORS)}
    assert problems["call_customer"].startswith("This manual task has more than one outgoing sequence flow")
    assert "Draw a gateway after it" in problems["call_customer"]
    assert problems["no"].startswith("This sequence flow leaves a gateway without a condition")
    assert problems["fill_in"].startswith("not well-formed XML: line 9: ")
    assert problems["archive"].startswith("calls process 'archive_case', which is not in the bundle.")
    assert problems["list_files"].startswith("line 1: Import statements are not allowed. Correct the script")


def test_a_file_the_xsd_refuses_is_still_checked_for_everything_else() -> None:
    intake = validate_bundle({"intake.bpmn": many_broken()["intake.bpmn"]}, OPERATORS)
    # The XSD violation at the service task did not hide the script, form and call problems further on.
    assert {"notify", "compute_fee", "list_files", "large_amount", "review", "approve", "archive"} <= {
        p.element_id for p in intake}


def test_library_messages_lose_class_names_and_addresses() -> None:
    assert plain("KeyError('targetRef')") == "targetRef"
    assert plain("ValueError: <SpiffWorkflow.bpmn.specs.Foo object at 0x7f3a2b>") == "Foo"
    assert owner_sentence("There is no support implemented for this task type.", "complex gateway").startswith(
        "This complex gateway is a kind of element casedesk cannot run.")
    assert owner_sentence("Something new went wrong") == "Something new went wrong. Correct it in the modeler and deploy again."



def test_a_decision_the_xsd_refuses_is_not_also_reported_missing_where_it_is_called() -> None:
    files = many_broken()
    files["level.dmn"] = files["level.dmn"].replace(b'hitPolicy="UNIQUE"', b'hitPolicy="SOMETIMES"')
    problems = validate_bundle(files, OPERATORS)
    assert any(p.file == "level.dmn" and p.element_id == "level_table" and "SOMETIMES" in p.message for p in problems)
    assert [p for p in problems if p.element_id == "choose_level"] == []
    # Its rules are still checked.
    assert any(p.element_id == "rule_small_amount" for p in problems)
