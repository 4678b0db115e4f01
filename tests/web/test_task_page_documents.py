"""Files on the task page (issue 15 item 6, R-6.1, R-6.4): the application form takes the customer's
materials as files; a refused file changes nothing and keeps what was typed; an accepted file stays
attached through a refused post; the case page lists it and serves it as a safe download until the case
is archived — from then on only the archive guard does, under an approved borrowing."""
from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from casework.demo_org import seed_demo_org
from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.documents.models import Document
from forms.documents import MAX_DOCUMENT_BYTES
from tests.acceptance.archive_desk import ArchiveDesk
from tests.acceptance.case_support import Case, consult_and_apply
from tests.support.sample_files import HTML, pdf, png
from web.app import create_app

PASSWORD = "demo-pass-2026"
TYPED = {"customer_name": "Wang Xiaoming", "mobile": "+86 138 0000 0001", "email": "wang@example.com",
         "preferred_channel": "phone", "business_type": "sales", "title": "Order 500 units",
         "description": "Delivery in December.", "materials": ["application_form", "contract"]}


@pytest.fixture
def case_web(app: Casedesk, clock: FakeClock) -> Iterator[Flask]:
    for area in ("case", "archive"):
        app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / area, PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, clock, PASSWORD)
    yield create_app({"TESTING": True, "CASEDESK": app, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})


def sign_in(web: Flask, user: str, language: str = "en") -> FlaskClient:
    client = web.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert client.post("/login", data={"username": user, "password": PASSWORD}).status_code == 302
    return client


def task_id(app: Casedesk, case: Case, spec: str) -> str:
    return next(t.id for t in app.runtime.list_tasks(instance_id=case.id) if t.task_spec == spec)


def post(client: FlaskClient, url: str, fields: dict[str, Any], files: list[tuple[str, bytes]] = (),
         kept: list[str] = ()) -> Any:
    body: dict[str, Any] = {**fields, "application_documents": [(io.BytesIO(c), n) for n, c in files] + list(kept)}
    return client.post(url, data=body, content_type="multipart/form-data")


def stored_documents(app: Casedesk) -> int:
    with app.db.unit_of_work(write=False) as session:
        return session.scalar(select(func.count()).select_from(Document)) or 0


def test_the_application_form_offers_a_file_box_for_the_materials(app: Casedesk, case_web: Flask) -> None:
    case = consult_and_apply(app)
    page = sign_in(case_web, "ivy").get(f"/tasks/{task_id(app, case, 'fill_application')}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    box = re.search(r'<input id="f-application_documents"[^>]*>', page)
    assert box is not None and 'type="file"' in box[0] and "multiple" in box[0] and "application/pdf" in box[0]
    assert "Application materials (files)" in page


def test_a_refused_file_changes_nothing_and_the_page_keeps_what_was_typed(app: Casedesk, case_web: Flask) -> None:
    case = consult_and_apply(app)
    url = f"/tasks/{task_id(app, case, 'fill_application')}"
    ivy = sign_in(case_web, "ivy", "zh-Hant")

    page = post(ivy, url, TYPED, [("contract.pdf", HTML)])  # a page dressed as a PDF
    assert page.status_code == 415
    text = page.get_data(as_text=True)
    assert "「contract.pdf」不是此欄接受的文件類型" in text
    assert 'value="Order 500 units"' in text and "Delivery in December." in text and 'value="Wang Xiaoming"' in text
    too_large = post(ivy, url, TYPED, [("big.pdf", pdf() + b" " * MAX_DOCUMENT_BYTES)])
    assert too_large.status_code == 413
    assert "太大" in too_large.get_data(as_text=True) and 'value="Order 500 units"' in too_large.get_data(as_text=True)

    assert stored_documents(app) == 0
    assert task_id(app, case, "fill_application")  # still waiting: nothing was completed


def test_an_accepted_file_stays_attached_through_a_refused_post_and_is_filed_once(app: Casedesk, case_web: Flask) -> None:
    case = consult_and_apply(app)
    url = f"/tasks/{task_id(app, case, 'fill_application')}"
    ivy = sign_in(case_web, "ivy")
    content = pdf("Wang's application")

    refused = post(ivy, url, {**TYPED, "title": ""}, [("申請表.pdf", content)])
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Attached: 申請表.pdf" in text
    kept = re.search(r"name=\"application_documents\" value='([^']*)' checked", text)
    assert kept is not None
    assert json.loads(kept[1].replace("&#34;", '"'))["sha256"] == hashlib.sha256(content).hexdigest()

    done = post(ivy, url, TYPED, kept=[kept[1].replace("&#34;", '"')])
    assert done.status_code == 302, done.get_data(as_text=True)[:800]
    assert stored_documents(app) == 1
    data = app.history.state_at(case.id, app.runtime.get_instance(case.id).events).data
    assert [d["name"] for d in data["application_documents"]] == ["申請表.pdf"]


def test_the_case_page_lists_the_files_and_serves_them_as_safe_downloads_until_archived(
        app: Casedesk, case_web: Flask) -> None:
    case = consult_and_apply(app)
    ivy = sign_in(case_web, "ivy")
    content = png(3)
    sha = hashlib.sha256(content).hexdigest()
    assert post(ivy, f"/tasks/{task_id(app, case, 'fill_application')}", TYPED,
                [("scan.png", content)]).status_code == 302

    page = ivy.get(f"/instances/{case.id}").get_data(as_text=True)
    assert "scan.png" in page and f'href="/instances/{case.id}/documents/{sha}"' in page
    download = ivy.get(f"/instances/{case.id}/documents/{sha}")
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    # Only files the case holds are served through it, and only to those who may see the case.
    assert ivy.get(f"/instances/{case.id}/documents/{'0' * 64}").status_code == 403
    assert sign_in(case_web, "pat").get(f"/instances/{case.id}/documents/{sha}").status_code == 403

    # The case goes on to its end; its archive is complete and guards the file from now on.
    case.work("ivy", "prereview_materials", {"missing_items": [], "review_remarks": ""})
    case.work("sam", "handle_case", {"outcome": "done", "result": "Contract signed."})
    case.work("sam", "phone_customer", {"reached": True, "call_note": "Told Mr Wang."})
    case.work("sam", "record_feedback", {"satisfaction": "satisfied", "opinion": "Fine."})
    number = case.service_results("file_materials")[0]["archive_number"]
    assert ivy.get(f"/instances/{case.id}/documents/{sha}").status_code == 403
    page = ivy.get(f"/instances/{case.id}").get_data(as_text=True)
    assert f'href="/archive/read/{number}/documents/{sha}"' in page

    sam = sign_in(case_web, "sam")
    refused = sam.get(f"/archive/read/{number}/documents/{sha}")
    assert refused.status_code == 403 and refused.data != content
    desk = ArchiveDesk(app)
    desk.approve(desk.apply("sam", number), "ann")
    assert f'/archive/read/{number}/documents/{sha}' in sam.get(f"/archive/read/{number}").get_data(as_text=True)
    granted = sam.get(f"/archive/read/{number}/documents/{sha}")
    assert granted.status_code == 200 and granted.data == content
    assert granted.headers["X-Content-Type-Options"] == "nosniff"
    outcomes = [(a.username, a.outcome) for a in app.archives.accesses(number, "ann") if "scan.png" in a.reason
                or sha[:12] in a.reason]
    assert outcomes == [("sam", "refused"), ("sam", "granted")]
