"""API uploads (issue 15 item 6): `POST /documents` stores a file by its SHA-256 and answers the reference a
task's file field then takes; limits are refused with 413/415 and nothing stored; a reference the caller
did not upload, or over the field's limits, is a 422 on the field."""
from __future__ import annotations

import hashlib
import io

from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.demo_org import seed_demo_org
from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.documents.models import Document
from forms.documents import MAX_DOCUMENT_BYTES
from tests.acceptance.case_support import consult_and_apply
from tests.support.sample_files import EXECUTABLE, pdf

from .conftest import Headers, error_of

DEMO_PASSWORD = "demo-pass-2026"
APPLICATION = {"customer_name": "Wang Xiaoming", "mobile": "+86 138 0000 0001", "email": "", "preferred_channel": "phone",
               "business_type": "sales", "title": "Order", "description": "Delivery in December.",
               "materials": ["application_form"]}


def upload(client: FlaskClient, headers: dict[str, str], name: str, content: bytes) -> object:
    return client.post("/api/v1/documents", headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), name)})


def demo_token(client: FlaskClient, user: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/tokens", json={"username": user, "password": DEMO_PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def stored(app: Casedesk) -> int:
    with app.db.unit_of_work(write=False) as session:
        return session.scalar(select(func.count()).select_from(Document)) or 0


def test_an_upload_answers_the_reference_and_the_same_content_is_stored_once(
        app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    content = pdf("minutes")
    first = upload(client, auth("alice"), "minutes.pdf", content)
    assert first.status_code == 201, first.json
    assert first.json == {"sha256": hashlib.sha256(content).hexdigest(), "name": "minutes.pdf",
                          "size": len(content), "media_type": "application/pdf"}
    again = upload(client, auth("bob"), "copy.pdf", content)
    assert again.status_code == 201 and again.json["sha256"] == first.json["sha256"]
    assert stored(app) == 1


def test_a_file_of_another_type_or_over_the_limit_is_refused_and_nothing_is_stored(
        app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    program = upload(client, auth("alice"), "invoice.pdf", EXECUTABLE)
    assert program.status_code == 415 and error_of(program)["code"] == "unsupported_media_type"
    large = upload(client, auth("alice"), "big.pdf", pdf() + b" " * MAX_DOCUMENT_BYTES)
    assert large.status_code == 413 and "file" in error_of(large)["fields"]
    assert stored(app) == 0


def test_the_openapi_document_describes_the_upload(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/documents"]["post"]
    assert operation["operationId"] == "uploadDocument"
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert "casedesk-document" in operation["description"]


def test_a_task_takes_the_uploaded_reference_and_refuses_one_the_caller_never_uploaded(
        app: Casedesk, clock: FakeClock, client: FlaskClient) -> None:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "case", PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, clock, DEMO_PASSWORD)
    case = consult_and_apply(app)
    task = next(t.id for t in app.runtime.list_tasks(instance_id=case.id) if t.task_spec == "fill_application")
    ivy, sam = demo_token(client, "ivy"), demo_token(client, "sam")
    theirs = upload(client, sam, "other.pdf", pdf("sam's file")).json

    forged = client.post(f"/api/v1/tasks/{task}/complete", headers=ivy,
                         json={"data": {**APPLICATION, "application_documents": [theirs]}})
    assert forged.status_code == 422 and "application_documents" in error_of(forged)["fields"]

    mine = upload(client, ivy, "application.pdf", pdf("ivy's scan")).json
    done = client.post(f"/api/v1/tasks/{task}/complete", headers=ivy,
                       json={"data": {**APPLICATION, "application_documents": [dict(mine, size=1)]}})
    assert done.status_code == 200, done.json
    assert done.json["data"]["application_documents"] == [mine]  # size and type as stored, not as sent


def test_a_case_file_is_read_through_the_case_until_the_archive_guards_it(
        app: Casedesk, clock: FakeClock, client: FlaskClient) -> None:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "case", PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, clock, DEMO_PASSWORD)
    case = consult_and_apply(app)
    ivy, pat = demo_token(client, "ivy"), demo_token(client, "pat")
    scan = pdf("the application")
    mine = upload(client, ivy, "application.pdf", scan).json
    case.work("ivy", "fill_application", {**APPLICATION, "application_documents": [mine]})
    url = f"/api/v1/instances/{case.id}/documents/{mine['sha256']}"

    got = client.get(url, headers=ivy)
    assert got.status_code == 200 and got.data == scan
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["X-Content-Type-Options"] == "nosniff" and got.headers["Content-Type"] == "application/pdf"
    assert client.get(url, headers=pat).status_code == 404  # not a case pat may see
    assert client.get(f"/api/v1/instances/{case.id}/documents/{'0' * 64}", headers=ivy).status_code == 404

    case.work("ivy", "prereview_materials", {"missing_items": [], "review_remarks": ""})
    case.work("sam", "handle_case", {"outcome": "done", "result": "Contract signed."})
    case.work("sam", "phone_customer", {"reached": True, "call_note": "Told Mr Wang."})
    case.work("sam", "record_feedback", {"satisfaction": "satisfied", "opinion": "Fine."})
    archived = client.get(url, headers=ivy)
    assert archived.status_code == 403 and "archive" in error_of(archived)["message"]
