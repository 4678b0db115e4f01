"""Owner pages and API of test runs (issue 16, item 6): who may run and see, the path on the diagram,
pass/fail of saved cases on the version page, bad scripts refused with nothing stored."""
from __future__ import annotations

import io
import json
import re

from flask import Flask

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.definitions.testrun import TestScript
from tests.web.conftest import PASSWORD, LoginAs

PAGE = "/owner/processes/document_review/1/tests"
SCRIPT = {"data": {"title": "Policy"}, "answers": {"draft": [{"body": "v1"}], "review": [{"decision": "approve"}]},
          "results": {"publish": [{"reference": "D-1"}]}}


def test_an_owner_runs_a_script_and_sees_the_path_on_the_diagram_and_saves_it(app: Casedesk,
                                                                              login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    ran = owner.post(PAGE, data={"script": json.dumps(SCRIPT), "name": "approve at once"})
    page = ran.get_data(as_text=True)
    assert ran.status_code == 200
    assert 'data-stop="completed"' in page
    completed = json.loads(re.search(r'data-completed="([^"]*)"', page).group(1).replace("&#34;", '"'))
    assert completed[:3] == ["start", "prepare", "draft"] and "flow_approved" in completed
    assert "flow_rejected" not in completed
    assert re.search(r'<tr data-element="publish">.*&#34;reference&#34;: &#34;D-1&#34;', page, re.S)
    assert 'data-case="approve at once" data-passed="true"' in page
    version_page = owner.get("/owner/processes/document_review/1").get_data(as_text=True)
    assert 'id="testcase-summary" data-passed="1" data-failed="0"' in version_page


def test_a_stop_is_shown_in_words_with_the_waiting_element_marked(app: Casedesk, login_as: LoginAs) -> None:
    page = login_as("process_owner").post(PAGE, data={"script": json.dumps({"data": {"title": "T"}})}
                                          ).get_data(as_text=True)
    assert 'data-stop="user_task" data-stop-element="draft"' in page
    assert "which has no scripted answer left" in page
    assert 'data-active="[&#34;draft&#34;]"' in page


def test_bad_scripts_are_refused_with_422_and_nothing_is_saved(app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    not_json = owner.post(PAGE, data={"script": "{nope", "name": "x"})
    assert not_json.status_code == 422 and "not valid JSON" in not_json.get_data(as_text=True)
    wrong = owner.post(PAGE, data={"script": json.dumps({"answers": {"draft": {"body": 1}}}), "name": "x"})
    assert wrong.status_code == 422 and "answers.draft" in wrong.get_data(as_text=True)
    assert app.testcases.cases("document_review") == []


def test_auditors_see_results_but_only_owners_run_or_delete(app: Casedesk, login_as: LoginAs) -> None:
    run = app.testcases.run_version("document_review", 1, TestScript.from_json(SCRIPT))
    app.testcases.save("document_review", "kept", TestScript.from_json(SCRIPT), run, "owen")
    auditor = login_as("auditor")
    page = auditor.get(PAGE + "?case=kept").get_data(as_text=True)
    assert 'data-case="kept" data-passed="true"' in page and 'id="test-run"' in page
    assert 'id="test-run-form"' not in page
    assert auditor.post(PAGE, data={"script": "{}"}).status_code == 403
    assert auditor.post(PAGE + "/delete", data={"name": "kept"}).status_code == 403
    assert login_as("clerk").get(PAGE).status_code == 403
    assert login_as("process_owner").post(PAGE + "/delete", data={"name": "kept"}).status_code == 302
    assert app.testcases.cases("document_review") == []


def test_the_api_runs_a_draft_saves_it_and_reports_a_failing_case_on_a_new_version(app: Casedesk,
                                                                                   web: Flask) -> None:
    client = web.test_client()
    token = client.post("/api/v1/auth/tokens", json={"username": "u_process_owner", "password": PASSWORD}
                        ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    files = collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms")
    text = {name: content.decode() for name, content in files.items()}
    ran = client.post("/api/v1/processes/document_review/test-runs", headers=headers,
                      json={"script": SCRIPT, "files": text, "save": "approve at once"})
    assert ran.status_code == 200, ran.get_data(as_text=True)
    body = ran.get_json()
    assert body["stop"]["kind"] == "completed" and body["version"] is None and body["saved"] == "approve at once"
    assert body["path"][-2:] == ["publish", "end"]
    text["document_review.bpmn"] = text["document_review.bpmn"].replace("decision == 'approve'", "False")
    app.definitions.deploy({n: t.encode() for n, t in text.items()}, "owen", origin="upload")
    checked = client.get("/api/v1/processes/document_review/test-cases", headers=headers).get_json()
    [case] = checked["cases"]
    assert case["version"] == 2 and not case["passed"] and case["differences"][0].startswith("path:")
    refused = client.post("/api/v1/processes/document_review/test-runs", headers=headers,
                          json={"script": {"answers": []}, "save": "bad"})
    assert refused.status_code == 422
    assert [c.name for c in app.testcases.cases("document_review")] == ["approve at once"]
    clerk = client.post("/api/v1/auth/tokens", json={"username": "u_clerk", "password": PASSWORD}).get_json()["token"]
    assert client.post("/api/v1/processes/document_review/test-runs", json={"script": {}},
                       headers={"Authorization": f"Bearer {clerk}"}).status_code == 403


def test_deploying_a_version_from_the_pages_warns_when_a_saved_case_fails_but_deploys(app: Casedesk,
                                                                                      login_as: LoginAs) -> None:
    run = app.testcases.run_version("document_review", 1, TestScript.from_json(SCRIPT))
    app.testcases.save("document_review", "approve at once", TestScript.from_json(SCRIPT), run, "owen")
    files = collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms")
    files["document_review.bpmn"] = files["document_review.bpmn"].replace(b"decision == 'approve'", b"False")
    deployed = login_as("process_owner").post(
        "/owner/deploy", data={"files": [(io.BytesIO(c), n) for n, c in files.items()]},
        content_type="multipart/form-data", follow_redirects=True)
    page = deployed.get_data(as_text=True)
    assert deployed.status_code == 200
    assert "Warning: 1 of 1 saved test case(s) of document_review fail on version 2: approve at once." in page
    summary = login_as("process_owner").get("/owner/processes/document_review/2").get_data(as_text=True)
    assert 'id="testcase-summary" data-passed="0" data-failed="1"' in summary


def test_an_owner_test_runs_uploaded_files_before_deploying_them(app: Casedesk, login_as: LoginAs) -> None:
    """A draft: the version's files with the uploaded diagram in place; the path follows the draft's routing."""
    files = collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms")
    changed = files["document_review.bpmn"].replace(b"decision == 'approve'", b"False")
    owner = login_as("process_owner")
    ran = owner.post(PAGE, data={"script": json.dumps(SCRIPT), "name": "draft case",
                                 "files": [(io.BytesIO(changed), "document_review.bpmn")]},
                     content_type="multipart/form-data")
    page = ran.get_data(as_text=True)
    assert ran.status_code == 200
    assert 'data-stop="user_task" data-stop-element="draft"' in page  # approve no longer leads to publish
    assert 'data-source="draft-diagram"' in page and 'id="draft-diagram"' in page
    [case] = app.testcases.cases("document_review")
    assert case.saved_on_version is None and "approved_gateway" in case.expected["path"]
    assert [v.version for v in app.definitions.list_definitions()] == [1]  # nothing deployed
    broken = owner.post(PAGE, data={"script": "{}", "files": [(io.BytesIO(b"<nope"), "document_review.bpmn")]},
                        content_type="multipart/form-data")
    assert broken.status_code == 422 and 'id="problems"' in broken.get_data(as_text=True)


def test_the_api_deploy_names_failing_test_cases_and_strict_refuses(app: Casedesk, web: Flask) -> None:
    run = app.testcases.run_version("document_review", 1, TestScript.from_json(SCRIPT))
    app.testcases.save("document_review", "approve at once", TestScript.from_json(SCRIPT), run, "owen")
    client = web.test_client()
    token = client.post("/api/v1/auth/tokens", json={"username": "u_process_owner", "password": PASSWORD}
                        ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    files = collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms")
    files["document_review.bpmn"] = files["document_review.bpmn"].replace(b"decision == 'approve'", b"False")

    def upload() -> dict[str, object]:
        return {"files": [(io.BytesIO(c), n.rsplit("/", 1)[-1]) for n, c in files.items()]}

    strict = client.post("/api/v1/processes?strict=true", data=upload(), headers=headers,
                         content_type="multipart/form-data")
    assert strict.status_code == 422
    assert "approve at once: path:" in strict.get_json()["error"]["fields"]["test_cases.document_review"][0]
    assert [v.version for v in app.definitions.list_definitions()] == [1]
    warned = client.post("/api/v1/processes", data=upload(), headers=headers, content_type="multipart/form-data")
    assert warned.status_code == 201
    [result] = [r for r in warned.get_json() if r["key"] == "document_review"]
    assert result["version"] == 2 and result["failing_test_cases"] == ["approve at once"]
