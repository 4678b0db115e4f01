"""The modeler's test run (issue 16, item 6): the diagram as drawn, not saved, runs with the version's other
files; the path and data come back for the canvas, a name saves it as a test case, a broken draft or script is
refused with the report and nothing stored; only process owners run it."""
from __future__ import annotations

import json

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.service import collect_files
from tests.web.conftest import LoginAs

URL = "/owner/processes/document_review/1/edit/test-run"
FILE = "document_review.bpmn"
SCRIPT = {"data": {"title": "Policy"}, "answers": {"draft": [{"body": "v1"}], "review": [{"decision": "approve"}]},
          "results": {"publish": [{"reference": "D-1"}]}}


def _diagram(app: Casedesk) -> str:
    return DefinitionCatalog(app.db).files("document_review", 1)[FILE].decode("utf-8")


def test_the_unsaved_diagram_runs_with_its_edit_and_the_path_comes_back(app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    edited = _diagram(app).replace("decision == 'approve'", "decision == 'reject'")
    ran = owner.post(URL, json={"file": FILE, "xml": edited, "script": json.dumps(SCRIPT)})
    assert ran.status_code == 200, ran.get_data(as_text=True)
    run = ran.get_json()
    # The edited condition no longer approves: the draft's rejected branch is taken, not the stored one's.
    assert "flow_approved" not in run["flows"] and run["version"] is None
    assert run["path"][:3] == ["start", "prepare", "draft"]
    assert next(s for s in run["steps"] if s["element"] == "review")["data"]["decision"] == "approve"
    stored = owner.post(URL, json={"file": FILE, "xml": _diagram(app), "script": json.dumps(SCRIPT)}).get_json()
    assert "flow_approved" in stored["flows"]
    assert app.testcases.cases("document_review") == []


def test_a_named_run_is_saved_as_a_test_case_of_the_process(app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    ran = owner.post(URL, json={"file": FILE, "xml": _diagram(app), "script": json.dumps(SCRIPT),
                                "name": "approved from the modeler"})
    assert ran.get_json()["saved"] == "approved from the modeler"
    [case] = app.testcases.cases("document_review")
    assert case.name == "approved from the modeler" and case.script.answers["review"] == [{"decision": "approve"}]
    [outcome] = app.testcases.check_version("document_review", 1)
    assert outcome.passed


def test_a_broken_draft_or_script_is_refused_with_the_report_and_nothing_saved(app: Casedesk,
                                                                             login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    broken = _diagram(app).replace("decision == 'approve'", "decision ==")
    refused = owner.post(URL, json={"file": FILE, "xml": broken, "script": json.dumps(SCRIPT), "name": "x"})
    assert refused.status_code == 422
    assert any(p["element_id"] == "flow_approved" for p in refused.get_json()["problems"])
    not_json = owner.post(URL, json={"file": FILE, "xml": _diagram(app), "script": "{nope", "name": "x"})
    assert not_json.status_code == 400 and "not valid JSON" in not_json.get_json()["message"]
    wrong = owner.post(URL, json={"file": FILE, "xml": _diagram(app), "script": {"answers": {"draft": {}}}})
    assert wrong.status_code == 400 and "answers.draft" in wrong.get_json()["errors"]
    assert app.testcases.cases("document_review") == []


def test_only_process_owners_run_drafts(app: Casedesk, login_as: LoginAs) -> None:
    for role in ("auditor", "clerk"):
        answer = login_as(role).post(URL, json={"file": FILE, "xml": _diagram(app), "script": json.dumps(SCRIPT)})
        assert answer.status_code == 403, role


def test_the_modeler_page_offers_a_test_run_with_a_script_for_its_user_tasks(app: Casedesk,
                                                                            login_as: LoginAs) -> None:
    page = login_as("process_owner").get("/owner/processes/document_review/1/edit").get_data(as_text=True)
    assert 'id="modeler-test-run"' in page and 'id="modeler-test-run-button"' in page
    assert "&#34;draft&#34;: [" in page or '"draft": [' in page  # one empty answer per user task to fill in


def test_a_called_process_edited_in_its_callers_version_is_the_one_run_and_saved(app: Casedesk,
                                                                                login_as: LoginAs) -> None:
    """R-2.2.1: business_case's version holds processing.bpmn; the modeler opened on it runs processing."""
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "case", PROJECT_ROOT / "forms"), "owen")
    version = DefinitionCatalog(app.db).versions("business_case")[0].version
    files = DefinitionCatalog(app.db).files("business_case", version)
    diagram = next(name for name in files if name.endswith("processing.bpmn"))
    script = {"data": {"business_type": "finance", "title": "Invoice"},
              "answers": {"handle_case": [{"outcome": "done", "result": "Paid"}]}}
    ran = login_as("process_owner").post(f"/owner/processes/business_case/{version}/edit/test-run", json={
        "file": diagram, "xml": files[diagram].decode("utf-8"),
        "script": json.dumps(script), "name": "finance paid"})
    run = ran.get_json()
    assert (ran.status_code, run["process"], run["stop"]["kind"]) == (200, "processing", "completed")
    assert next(s for s in run["steps"] if s["element"] == "assign_department")["data"]["department"] == "finance"
    assert [c.name for c in app.testcases.cases("processing")] == ["finance paid"]
    assert app.testcases.cases("business_case") == []
