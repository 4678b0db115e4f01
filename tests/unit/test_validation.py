"""validate_bundle reports every problem, each naming file, element and message, and never raises."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.errors import Problem
from engine.definitions.validation import validate_bundle

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
OPERATORS = {"publish_document"}
# An expression every sandbox must refuse: it reaches for a dunder attribute.
FORBIDDEN_EXPRESSION = "amount.__class__"


def review_bundle() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((FIXTURES / "review_bundle").iterdir())}


def broken(name: str) -> bytes:
    return (FIXTURES / "broken" / name).read_bytes()


def with_replaced(files: dict[str, bytes], name: str, old: str, new: str) -> dict[str, bytes]:
    assert old.encode() in files[name], f"fixture {name} no longer contains {old!r}"
    return files | {name: files[name].replace(old.encode(), new.encode())}


def at(problems: list[Problem], element_id: str) -> list[Problem]:
    return [p for p in problems if p.element_id == element_id]


def test_clean_bundle_has_no_problems() -> None:
    assert validate_bundle(review_bundle(), OPERATORS) == []


def test_script_task_import_is_reported_with_its_element_and_line() -> None:
    problems = validate_bundle({"script_import.bpmn": broken("script_import.bpmn")}, OPERATORS)
    assert problems, "import os must be rejected"
    assert {(p.file, p.element_id, p.element_name) for p in problems} == {
        ("script_import.bpmn", "list_files", "List the server's files")
    }
    assert any(p.message.startswith("line 1: ") and "import" in p.message.lower() for p in problems)


def test_missing_handler_is_reported() -> None:
    [problem] = validate_bundle(review_bundle(), set())
    assert (problem.file, problem.element_id, problem.element_name) == ("review_case.bpmn", "publish",
                                                                         "Publish the decision")
    assert problem.message.startswith("no handler registered for operator 'publish_document': this server cannot run")
    assert "Ask an administrator to install a handler" in problem.message


def test_missing_form_file_is_reported() -> None:
    files = review_bundle()
    del files["acknowledge.schema.json"]
    [problem] = validate_bundle(files, OPERATORS)
    assert (problem.file, problem.element_id, problem.element_name) == ("notify.bpmn", "acknowledge", "Acknowledge")
    assert problem.message == ("form file 'acknowledge.schema.json' is not in the bundle. Add the form file to the "
                               "deployment, or correct the file name in the task's properties.")


def test_invalid_json_schema_is_reported() -> None:
    files = review_bundle() | {"review.schema.json": b'{"type": "object", "properties": {"amount": {"type": "money"}}}'}
    [problem] = validate_bundle(files, OPERATORS)
    assert (problem.file, problem.element_id, problem.element_name) == ("review_case.bpmn", "review", "Review the case")
    assert problem.message.startswith("form file review.schema.json: not a valid JSON Schema: properties/amount/type")


def test_form_file_that_is_not_json_is_reported() -> None:
    files = review_bundle() | {"review.uischema.json": b"{'single': 'quotes'}"}
    [problem] = validate_bundle(files, OPERATORS)
    assert problem.element_id == "review"
    assert problem.message.startswith("form file review.uischema.json: not valid JSON: line 1")


def test_xsd_violation_is_reported_not_raised() -> None:
    problems = validate_bundle({"xsd_violation.bpmn": broken("xsd_violation.bpmn")}, OPERATORS)
    assert [(p.file, p.element_id) for p in problems] == [("xsd_violation.bpmn", "approve")]
    assert "approvalStep" in problems[0].message


def test_unsafe_xml_is_reported_not_raised() -> None:
    files = review_bundle() | {"lol.bpmn": broken("billion_laughs.bpmn")}
    [problem] = validate_bundle(files, OPERATORS)
    assert (problem.file, problem.element_id) == ("lol.bpmn", "")  # nothing in such a file is read, not even ids
    assert problem.message.startswith("DOCTYPE is not allowed. Export the diagram again")


def test_bundle_without_executable_process_is_reported() -> None:
    [problem] = validate_bundle({}, OPERATORS)
    assert problem.message.startswith("The bundle has no executable process.")


@pytest.mark.parametrize(("old", "new", "element", "prefix"), [
    pytest.param("approved == True", FORBIDDEN_EXPRESSION, ("flow_approved", "yes"), "condition: ",
                 id="condition-on-its-sequence-flow"),
    pytest.param("amount = amount if", "import os\namount = amount if", ("review", "Review the case"),
                 "pre-script: ", id="pre-script"),
    pytest.param('"P3D"', FORBIDDEN_EXPRESSION, ("review_overdue", "Review overdue"), "timer expression: ",
                 id="timer-expression"),
    pytest.param('value="title"', f'value="{FORBIDDEN_EXPRESSION}"', ("publish", "Publish the decision"),
                 "parameter 'title': ", id="service-task-parameter"),
])
def test_expression_is_checked_and_reported_on_its_element(
    old: str, new: str, element: tuple[str, str], prefix: str
) -> None:
    problems = validate_bundle(with_replaced(review_bundle(), "review_case.bpmn", old, new), OPERATORS)
    assert problems and {(p.element_id, p.element_name) for p in problems} == {element}
    assert all(p.message.startswith(prefix) for p in problems)


def test_dmn_entries_are_checked() -> None:
    files = with_replaced(review_bundle(), "approval_level.dmn", "&lt; 1000", f"&lt; {FORBIDDEN_EXPRESSION}")
    files = with_replaced(files, "approval_level.dmn", '"manager"', FORBIDDEN_EXPRESSION)
    problems = validate_bundle(files, OPERATORS)
    assert {(p.file, p.element_id, p.element_name) for p in problems} == {
        ("approval_level.dmn", "rule_small_amount", "Amount"),
        ("approval_level.dmn", "rule_large_level", "Level"),
    }
    assert any(p.message.startswith("rule 1 input entry: ") for p in problems)
    assert any(p.message.startswith("rule 2 output entry: ") for p in problems)


def test_dmn_input_expression_is_checked() -> None:
    files = with_replaced(review_bundle(), "approval_level.dmn", "<text>amount</text>", f"<text>{FORBIDDEN_EXPRESSION}</text>")
    problems = validate_bundle(files, OPERATORS)
    assert problems and {p.element_id for p in problems} == {"input_amount"}


def test_problems_in_several_files_are_all_reported() -> None:
    files = review_bundle()
    del files["acknowledge.schema.json"]
    files = with_replaced(files, "review_case.bpmn", "fee = round(", "import os\nfee = round(")
    files["script_import.bpmn"] = broken("script_import.bpmn")
    files["xsd_violation.bpmn"] = broken("xsd_violation.bpmn")
    problems = validate_bundle(files, set())
    reported = {(p.file, p.element_id) for p in problems}
    assert reported >= {
        ("notify.bpmn", "acknowledge"),
        ("review_case.bpmn", "compute_fee"),
        ("review_case.bpmn", "publish"),
        ("script_import.bpmn", "list_files"),
        ("xsd_violation.bpmn", "approve"),
    }
    assert len(problems) == len(set(problems))


@pytest.mark.parametrize("prop", ["candidateGroups", "assignee", "dueAt", "businessKey"])
def test_a_hostile_routing_property_is_refused_at_deploy(prop: str) -> None:
    routed = (FIXTURES / "routing" / "routed.bpmn").read_bytes()
    assert validate_bundle({"routed.bpmn": routed}, OPERATORS) == []
    own = re.compile(rb'<spiffworkflow:property name="(candidateGroups|assignee|dueAt|businessKey)" value="[^"]*" />')
    hostile = own.sub(b"", routed).replace(
        b"<spiffworkflow:properties>",
        f'<spiffworkflow:properties><spiffworkflow:property name="{prop}" value="{FORBIDDEN_EXPRESSION}" />'.encode(), 1)
    problems = validate_bundle({"routed.bpmn": hostile}, OPERATORS)
    assert [(p.element_id, p.message.split(":")[0]) for p in problems] == [("number", f"property '{prop}'")]
