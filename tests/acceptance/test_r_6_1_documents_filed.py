"""R-6.1 / R-6.4 with files: the application materials, processing records and feedback documents a case's
forms attached are stored once by SHA-256, recorded in the event log, filed with the case's archive and,
once it is complete, read only through the archive guard under an approved borrowing, every reading recorded."""
from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import func, select, update

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.documents.models import Document, DocumentUpload
from engine.documents.service import Upload
from engine.errors import Forbidden
from tests.acceptance.archive_desk import ArchiveDesk
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    FORMS, Case, _mail_server, _sms_server, application_data, consult_and_apply, desk, mailbox, sms)
from tests.support.sample_files import pdf, png


def upload(desk: Casedesk, user: str, name: str, content: bytes) -> dict[str, Any]:
    (reference,) = desk.documents.store([Upload("file", name, content)], user)
    return reference


def closed_case_with_documents(desk: Casedesk) -> tuple[Case, dict[str, dict[str, Any]]]:
    """A sales case whose clerk, handler and feedback recorder each attach a file, worked to its end."""
    files = {"application": upload(desk, "ivy", "申請表.pdf", pdf("application form of Wang")),
             "processing": upload(desk, "sam", "signed-contract.png", png(7)),
             "feedback": upload(desk, "sam", "feedback.pdf", pdf("customer feedback"))}
    case = consult_and_apply(desk, "sales")
    case.work("ivy", "fill_application", application_data("sales", channel="phone",
                                                          application_documents=[files["application"]]))
    case.work("ivy", "prereview_materials", {"missing_items": [], "review_remarks": ""})
    case.work("sam", "handle_case", {"outcome": "done", "result": "Contract signed.",
                                     "processing_documents": [files["processing"]]})
    case.work("sam", "phone_customer", {"reached": True, "call_note": "Told Mr Wang."})
    case.work("sam", "record_feedback", {"satisfaction": "satisfied", "opinion": "Fine.",
                                         "feedback_documents": [files["feedback"]]})
    assert case.status == "completed"
    return case, files


def borrowing_desk(desk: Casedesk) -> ArchiveDesk:
    desk.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "archive", FORMS), "owen")
    return ArchiveDesk(desk)


def test_r_6_1_the_case_archive_lists_the_documents_its_forms_attached(desk: Casedesk) -> None:
    case, files = closed_case_with_documents(desk)
    number = case.service_results("file_materials")[0]["archive_number"]

    record = desk.archives.register_record(number, "ann")
    assert record.entry.status == "complete"
    assert sorted((d.variable, d.name, d.sha256) for d in record.documents) == [
        ("application_documents", "申請表.pdf", files["application"]["sha256"]),
        ("feedback_documents", "feedback.pdf", files["feedback"]["sha256"]),
        ("processing_documents", "signed-contract.png", files["processing"]["sha256"])]

    # The submissions hold each file's hash: the hash chain and replay cover what was attached.
    submitted = [p["data"] for p in case.events("task_submitted")]
    for key, field in (("application", "application_documents"), ("processing", "processing_documents"),
                       ("feedback", "feedback_documents")):
        assert any(d.get(field) == [files[key]] for d in submitted), field
    assert desk.history.replay(case.id).verified


def test_r_6_4_an_archived_case_document_is_read_only_under_an_approved_borrowing_and_every_read_is_logged(
        desk: Casedesk) -> None:
    case, files = closed_case_with_documents(desk)
    number = case.service_results("file_materials")[0]["archive_number"]
    contract = files["processing"]["sha256"]
    archive = borrowing_desk(desk)

    # Even the handler who attached it, and the archivist, need a borrowing once the case is archived.
    for reader in ("sam", "ann"):
        with pytest.raises(Forbidden):
            desk.archives.read_document(number, contract, reader)
    pending = archive.apply("sam", number, days=3, purpose="customer asks for a copy")
    with pytest.raises(Forbidden):
        desk.archives.read_document(number, contract, "sam")

    archive.approve(pending, "ann")
    document = desk.archives.read_document(number, contract, "sam")
    assert document.content == png(7) and hashlib.sha256(document.content).hexdigest() == contract

    log = desk.archives.accesses(number, "ann")
    assert [(a.username, a.outcome) for a in log] == [("sam", "refused"), ("ann", "refused"), ("sam", "refused"),
                                                       ("sam", "granted")]
    assert "signed-contract.png" in log[-1].reason and log[-1].borrowing_id == pending

    # A borrowing lets its holder read what the archive holds, nothing else.
    stranger = upload(desk, "sam", "other.pdf", pdf("not in this case"))
    with pytest.raises(Exception) as outside:
        desk.archives.read_document(number, stranger["sha256"], "sam")
    assert type(outside.value).__name__ == "NotFound"


def test_r_6_1_the_same_content_is_stored_once_whoever_uploads_it(desk: Casedesk) -> None:
    first = upload(desk, "ivy", "contract.pdf", pdf("one contract"))
    again = upload(desk, "sam", "copy-of-contract.pdf", pdf("one contract"))
    assert first["sha256"] == again["sha256"]
    with desk.db.unit_of_work(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        assert session.scalar(select(Document.original_name)) == "contract.pdf"  # the first upload's
        assert sorted(session.scalars(select(DocumentUpload.username))) == ["ivy", "sam"]


def test_r_6_1_replay_finds_a_document_whose_stored_content_was_changed(desk: Casedesk) -> None:
    case, files = closed_case_with_documents(desk)
    feedback = files["feedback"]["sha256"]
    with desk.db.transaction() as conn:
        conn.execute(update(Document).where(Document.sha256 == feedback).values(content=b"%PDF-1.4 forged"))
    try:
        report = desk.history.replay(case.id)
        assert not report.verified
        assert report.divergence is not None and report.divergence.kind == "document changed"
        assert "feedback.pdf" in report.divergence.detail
    finally:  # the suite replays every instance at the end: put the content back
        with desk.db.transaction() as conn:
            conn.execute(update(Document).where(Document.sha256 == feedback)
                         .values(content=pdf("customer feedback")))
    assert desk.history.replay(case.id).verified
