"""Deploying over the API: multipart upload, a new version only on change, 422 report element by element."""
from __future__ import annotations

import io

from flask.testing import FlaskClient

from engine.config import PROJECT_ROOT

from .conftest import OWNER, Headers, error_of

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn"
DEMO = PROJECT_ROOT / "processes" / "demo" / "document_review.bpmn"
FORMS = sorted((PROJECT_ROOT / "forms" / "demo").glob("*.json"))


def upload(*files: tuple[str, bytes]) -> dict[str, list[tuple[io.BytesIO, str]]]:
    return {"files": [(io.BytesIO(content), name) for name, content in files]}


def demo_files(bpmn: bytes | None = None) -> list[tuple[str, bytes]]:
    return [(DEMO.name, bpmn or DEMO.read_bytes())] + [(f.name, f.read_bytes()) for f in FORMS]


def versions(client: FlaskClient, auth: Headers, key: str) -> list[int]:
    processes = {p["key"]: p for p in client.get("/api/v1/processes", headers=auth(OWNER)).json}
    return [v["version"] for v in processes[key]["versions"]] if key in processes else []


def test_an_owner_deploys_a_bundle_and_unchanged_content_makes_no_new_version(client: FlaskClient,
                                                                              auth: Headers) -> None:
    bundle = [(p.name, p.read_bytes()) for p in sorted((FIXTURES / "review_bundle").iterdir())]
    first = client.post("/api/v1/processes", data=upload(*bundle), headers=auth(OWNER))
    assert first.status_code == 201, first.json
    assert {(d["key"], d["version"], d["created"]) for d in first.json} >= {("review_case", 1, True)}
    again = client.post("/api/v1/processes", data=upload(*bundle), headers=auth(OWNER))
    assert {(d["key"], d["version"], d["created"]) for d in again.json} >= {("review_case", 1, False)}
    assert versions(client, auth, "review_case") == [1]


def test_a_changed_diagram_becomes_a_new_version_and_running_instances_keep_theirs(client: FlaskClient,
                                                                                    auth: Headers) -> None:
    running = client.post("/api/v1/processes/document_review/instances", json={"data": {"title": "A"}},
                          headers=auth("alice")).json
    changed = DEMO.read_bytes().replace(b'name="Document published"', 'name="Published 已發布"'.encode())
    deployed = client.post("/api/v1/processes", data=upload(*demo_files(changed)), headers=auth(OWNER))
    assert [(d["key"], d["version"], d["created"]) for d in deployed.json] == [("document_review", 2, True)]
    assert versions(client, auth, "document_review") == [2, 1]
    assert client.get(f"/api/v1/instances/{running['id']}", headers=auth("alice")).json["version"] == 1
    fresh = client.post("/api/v1/processes/document_review/instances", json={"data": {"title": "B"}},
                        headers=auth("alice")).json
    assert fresh["version"] == 2


def test_an_invalid_bundle_is_422_with_each_problem_and_stores_nothing(client: FlaskClient, auth: Headers) -> None:
    broken = (FIXTURES / "broken" / "script_import.bpmn").read_bytes()
    response = client.post("/api/v1/processes", data=upload(("script_import.bpmn", broken)), headers=auth(OWNER))
    error = error_of(response)
    assert error["status"] == 422
    assert {"file": "script_import.bpmn", "element_id": "list_files", "element_name": "List the server's files",
            "message": "line 1: Import statements are not allowed. Correct the script: it may use the task data "
                       "and the names the README lists under Sandbox."} in error["problems"]
    assert versions(client, auth, "script_import") == []


def test_one_bad_file_keeps_the_good_ones_of_the_bundle_from_being_stored(client: FlaskClient,
                                                                         auth: Headers) -> None:
    changed = DEMO.read_bytes().replace(b'name="Approved?"', b'name="Approved or not?"')
    broken = (FIXTURES / "broken" / "script_import.bpmn").read_bytes()
    response = client.post("/api/v1/processes", data=upload(*demo_files(changed), ("script_import.bpmn", broken)),
                           headers=auth(OWNER))
    assert [p["file"] for p in error_of(response)["problems"]] == ["script_import.bpmn"]
    assert versions(client, auth, "document_review") == [1]


def test_only_process_and_form_files_are_accepted(client: FlaskClient, auth: Headers) -> None:
    response = client.post("/api/v1/processes", data=upload(*demo_files(), ("notes.txt", b"hi")),
                           headers=auth(OWNER))
    assert error_of(response)["problems"][0]["file"] == "notes.txt"
    only_forms = client.post("/api/v1/processes", data=upload(*demo_files()[1:]), headers=auth(OWNER))
    assert error_of(only_forms)["status"] == 422
    nothing = client.post("/api/v1/processes", data={}, headers=auth(OWNER))
    assert "files" in error_of(nothing)["fields"]
    assert versions(client, auth, "document_review") == [1]
