"""Parsing bundles into specs: process keys, dependencies, and the problems that stop a parse."""
from __future__ import annotations

from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from engine.errors import DefinitionInvalid, Problem
from engine.definitions.parsing import CasedeskParser, parse_bundle, user_task_form

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"


def review_bundle() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((FIXTURES / "review_bundle").iterdir())}


def broken(name: str) -> bytes:
    return (FIXTURES / "broken" / name).read_bytes()


def problems_of(files: dict[str, bytes]) -> list[Problem]:
    with pytest.raises(DefinitionInvalid) as caught:
        parse_bundle(files)
    return caught.value.problems


def test_parser_validates_against_the_bpmn_xsd() -> None:
    assert CasedeskParser().validator is not None


def test_every_executable_process_is_a_key() -> None:
    bundle = parse_bundle(review_bundle())
    assert bundle.process_keys() == ["notify", "review_case"]
    spec = bundle.spec("review_case")
    assert isinstance(spec, BpmnProcessSpec)
    assert spec.description == "Review a case"


def test_non_executable_process_is_not_a_key() -> None:
    files = review_bundle()
    files["library.bpmn"] = files["notify.bpmn"].replace(b'"notify"', b'"library"').replace(
        b'isExecutable="true"', b'isExecutable="false"')
    assert parse_bundle(files).process_keys() == ["notify", "review_case"]


def test_subprocess_specs_holds_called_processes() -> None:
    bundle = parse_bundle(review_bundle())
    assert list(bundle.subprocess_specs("review_case")) == ["notify"]
    assert bundle.subprocess_specs("notify") == {}


def test_files_for_follows_call_activities_decisions_and_forms() -> None:
    bundle = parse_bundle(review_bundle())
    assert bundle.files_for("review_case") == {
        "review_case.bpmn",
        "notify.bpmn",  # called process
        "acknowledge.schema.json",  # form of a user task in the called process
        "approval_level.dmn",
        "review.schema.json",
        "review.uischema.json",
    }
    assert bundle.files_for("notify") == {"notify.bpmn", "acknowledge.schema.json"}


def test_a_process_parses_from_just_the_files_it_depends_on() -> None:
    files = review_bundle()
    bundle = parse_bundle(files)
    for key in bundle.process_keys():
        own = {name: files[name] for name in bundle.files_for(key)}
        assert parse_bundle(own).spec(key).name == key


def test_user_task_form_reads_spiff_properties() -> None:
    spec = parse_bundle(review_bundle()).spec("review_case")
    assert user_task_form(spec.task_specs["review"]) == ("review.schema.json", "review.uischema.json")
    assert user_task_form(spec.task_specs["compute_fee"]) == (None, None)


def test_unsafe_xml_is_a_problem_of_its_file() -> None:
    files = review_bundle() | {"evil.bpmn": broken("external_entity.bpmn")}
    [problem] = problems_of(files)
    assert (problem.file, problem.element_id) == ("evil.bpmn", "")
    assert problem.message.startswith("DOCTYPE is not allowed. ")


def test_xsd_violation_names_the_element() -> None:
    [problem] = problems_of({"xsd_violation.bpmn": broken("xsd_violation.bpmn")})
    assert (problem.file, problem.element_id, problem.element_name) == ("xsd_violation.bpmn", "approve", "Approve it")
    assert problem.message.startswith("line 10: Element 'bpmn:approvalStep': This element is not expected.")


def test_every_xsd_violation_is_reported() -> None:
    data = broken("xsd_violation.bpmn").replace(b'sourceRef="start" ', b"")
    problems = problems_of({"xsd_violation.bpmn": data})
    assert [p.element_id for p in problems] == ["flow_to_end", "approve"]
    assert "'sourceRef' is required" in problems[0].message


def test_dmn_xsd_violation_is_reported() -> None:
    files = review_bundle()
    files["approval_level.dmn"] = files["approval_level.dmn"].replace(b'hitPolicy="UNIQUE"', b'hitPolicy="SOMETIMES"')
    problems = problems_of(files)
    assert problems[0].file == "approval_level.dmn"
    assert problems[0].element_id == "approval_level_table"
    assert "SOMETIMES" in problems[0].message


def test_parse_error_names_the_element() -> None:
    files = review_bundle()
    files["review_case.bpmn"] = files["review_case.bpmn"].replace(b' default="flow_rejected"', b"")
    [problem] = problems_of(files)
    assert (problem.file, problem.element_id, problem.element_name) == ("review_case.bpmn", "flow_rejected", "no")
    assert problem.message.startswith("This sequence flow leaves a gateway without a condition and is not the "
                                      "gateway's default flow. Give it a condition")


def test_call_to_a_missing_process_is_reported() -> None:
    files = review_bundle()
    del files["notify.bpmn"]
    assert problems_of(files) == [Problem("review_case.bpmn", "notify_applicant", "Notify the applicant",
                                          "calls process 'notify', which is not in the bundle. Add the file that "
                                          "defines it, or call a process that exists.")]


def test_call_to_a_non_executable_process_is_reported() -> None:
    files = review_bundle()
    files["notify.bpmn"] = files["notify.bpmn"].replace(b'isExecutable="true"', b'isExecutable="false"')
    [problem] = problems_of(files)
    assert problem.element_id == "notify_applicant"
    assert problem.message == ("calls process 'notify', which is not executable. Mark that process executable, "
                               "or call another one.")


def test_missing_decision_is_reported_at_the_business_rule_task() -> None:
    files = review_bundle()
    del files["approval_level.dmn"]
    [problem] = problems_of(files)
    assert (problem.file, problem.element_id) == ("review_case.bpmn", "choose_level")
    assert problem.message.startswith("This business rule task calls the decision 'approval_level', which no DMN")


def test_duplicate_decision_ids_are_reported() -> None:
    files = review_bundle()
    files["copy.dmn"] = files["approval_level.dmn"]
    problems = problems_of(files)
    assert problems == [Problem("copy.dmn", "approval_level", "", "decision 'approval_level' is also defined in "
                                "approval_level.dmn. Give each decision its own id, or deploy only one of the files.")]


def test_bundle_without_processes_is_a_problem() -> None:
    [problem] = problems_of({"review.schema.json": b"{}"})
    assert problem.message.startswith("The bundle has no executable process.")
