"""View-only models: well-formed BPMN 2.0 that cannot run is stored on request, shown in the viewer and
the modeler with the per-element report of why, and edited until it deploys as an executable version."""
from __future__ import annotations

import io
import re

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.catalog import DefinitionCatalog
from engine.definitions.service import collect_files
from engine.errors import NotFound
from tests.web.conftest import LoginAs

import pytest
from flask import Flask

from tests.conftest import PASSWORD

BROKEN = (PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "broken" / "script_import.bpmn").read_bytes()
DEMO = "document_review.bpmn"


def policy_review(executable: bool) -> dict[str, bytes]:
    """The demo review as a new process, `policy_review`, marked executable or not."""
    files = collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms")
    text = files.pop(DEMO).decode()
    text = text.replace('processRef="document_review"', 'processRef="policy_review"')
    text = text.replace('bpmnElement="document_review"', 'bpmnElement="policy_review"')
    text = text.replace('<bpmn:process id="document_review" name="Document review" isExecutable="true">',
                        f'<bpmn:process id="policy_review" name="Policy review" isExecutable="{str(executable).lower()}">')
    return {**files, "policy_review.bpmn": text.encode()}


def upload(files: dict[str, bytes], as_model: bool) -> dict[str, object]:
    data: dict[str, object] = {"files": [(io.BytesIO(content), name) for name, content in files.items()]}
    if as_model:
        data["as_model"] = "1"
    return data


def test_a_non_executable_diagram_is_stored_as_a_model_and_shown_with_its_report(app: Casedesk,
                                                                                  login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    refused = owner.post("/owner/deploy", data=upload(policy_review(False), as_model=False),
                         content_type="multipart/form-data")
    assert refused.status_code == 422 and 'name="as_model" value="1" checked' in refused.get_data(as_text=True)
    assert [v.key for v in DefinitionCatalog(app.db).versions()] == ["document_review"]

    stored = owner.post("/owner/deploy", data=upload(policy_review(False), as_model=True),
                        content_type="multipart/form-data")

    assert stored.status_code == 302 and stored.location.endswith("/owner/processes/policy_review/1")
    (model,) = DefinitionCatalog(app.db).versions("policy_review")
    assert (model.executable, model.origin, model.deployed_by) == (False, "upload", "u_process_owner")
    page = owner.get("/owner/processes/policy_review/1").get_data(as_text=True)
    assert 'data-model="1"' in page and "View-only model: it cannot run because of 1 problem(s)" in page
    assert re.search(r'data-element="policy_review">.*policy_review\.bpmn.*Policy review.*isExecutable', page, re.S)
    assert 'id="owner-diagram"' in page  # the viewer draws it
    with pytest.raises(NotFound, match="view-only model"):
        app.runtime.start_instance("policy_review", {}, actor="alice")
    assert "policy_review" not in login_as("clerk").get("/start").get_data(as_text=True)


def test_a_diagram_with_an_element_that_cannot_run_is_stored_with_the_element_named(app: Casedesk,
                                                                                   login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    stored = owner.post("/owner/deploy", data=upload({"script_import.bpmn": BROKEN}, as_model=True),
                        content_type="multipart/form-data")
    assert stored.status_code == 302
    (model,) = [v for v in DefinitionCatalog(app.db).versions() if not v.executable]
    assert any(p.element_id == "list_files" and "Import statements are not allowed" in p.message
               for p in model.model_problems)
    modeler = owner.get(f"/owner/processes/{model.key}/1/edit").get_data(as_text=True)
    assert 'id="modeler-save-model"' in modeler and 'data-element="list_files"' in modeler


def test_what_is_not_bpmn_is_refused_even_as_a_model(app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    not_bpmn = b"<?xml version='1.0'?><note><to>someone</to></note>"
    refused = owner.post("/owner/deploy", data=upload({"note.bpmn": not_bpmn}, as_model=True),
                         content_type="multipart/form-data")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "note.bpmn" in page and "not a BPMN 2.0 file" in page
    assert [v.key for v in DefinitionCatalog(app.db).versions()] == ["document_review"]
    owner.get("/language/zh_Hans")
    garbage = owner.post("/owner/deploy", data=upload({"garbage.bpmn": b"not xml at all"}, as_model=False),
                         content_type="multipart/form-data").get_data(as_text=True)
    assert '<td>garbage.bpmn</td><td>整个文件</td>' in garbage  # a problem of the whole file names no element


def test_a_model_edited_in_the_modeler_deploys_as_an_executable_version_that_runs(app: Casedesk,
                                                                                login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    owner.post("/owner/deploy", data=upload(policy_review(False), as_model=True), content_type="multipart/form-data")
    page = owner.get("/owner/processes/policy_review/1/edit").get_data(as_text=True)
    assert "View-only model: it cannot run" in page and 'id="modeler-save-model"' in page
    still_draft = policy_review(False)["policy_review.bpmn"].decode().replace('name="Policy review"',
                                                                             'name="Policy review, draft 2"')
    saved = owner.post("/owner/processes/policy_review/1/edit",
                       data={"file": "policy_review.bpmn", "xml": still_draft, "as_model": "1"})
    assert saved.status_code == 302 and saved.location.endswith("/owner/processes/policy_review/2")

    fixed = policy_review(True)["policy_review.bpmn"].decode()
    deployed = owner.post("/owner/processes/policy_review/2/edit", data={"file": "policy_review.bpmn", "xml": fixed})

    assert deployed.status_code == 302 and deployed.location.endswith("/owner/processes/policy_review/3")
    versions = {v.version: (v.executable, v.origin) for v in DefinitionCatalog(app.db).versions("policy_review")}
    assert versions == {3: (True, "modeler"), 2: (False, "modeler"), 1: (False, "upload")}
    started = app.runtime.start_instance("policy_review", {"title": "Leave policy"}, actor="alice")
    assert started.version == 3
    done = app.runtime.complete_task(started.ready_tasks[0].id, {"body": "text"}, actor="alice")
    assert done.status == "running" and app.history.replay(done.id).verified


def test_the_api_stores_a_model_on_request_and_lists_its_report(app: Casedesk, web: Flask) -> None:
    client = web.test_client()
    token = client.post("/api/v1/auth/tokens", json={"username": "u_process_owner", "password": PASSWORD}
                        ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    files = [(io.BytesIO(c), n) for n, c in policy_review(False).items()]
    refused = client.post("/api/v1/processes", data={"files": files}, headers=headers,
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    files = [(io.BytesIO(c), n) for n, c in policy_review(False).items()]
    stored = client.post("/api/v1/processes?as_model=true", data={"files": files}, headers=headers,
                         content_type="multipart/form-data")
    assert stored.status_code == 201
    assert [(r["key"], r["version"], r["created"]) for r in stored.get_json()] == [("policy_review", 1, True)]
    listed = {p["key"]: p for p in client.get("/api/v1/processes", headers=headers).get_json()}
    (version,) = listed["policy_review"]["versions"]
    assert listed["policy_review"]["can_start"] is False and version["executable"] is False
    assert [p["element_id"] for p in version["model_problems"]] == ["policy_review"]
