"""File fields (issue 15 item 6, R-6.1): the schema convention, content sniffing, limits, and the form
round trip of a refused post (files attached before come back as their references)."""
from __future__ import annotations

import hashlib
import json

import pytest
from werkzeug.datastructures import MultiDict

from engine.documents.service import DocumentTooLarge, DocumentTypeRefused, DocumentRefused, Upload, checked, clean_name
from engine.documents.sniff import sniff
from forms import documents as convention
from forms.fields import build_fields, parse_submission
from forms.schema import check_schema, validate_submission
from tests.support.sample_files import EXECUTABLE, HTML, docx, pdf, plain_zip, png

FORM = {
    "type": "object", "required": ["title"],
    "properties": {
        "title": {"type": "string", "title": "Subject", "minLength": 1},
        "scans": {"type": "array", "title": "Scans", "items": {"type": "object", "title": "File",
                                                               "format": "casedesk-document"},
                  "x-casedesk-accept": ["application/pdf", "image/png"], "x-casedesk-max-size": 1000},
        "signed": {"type": "object", "title": "Signed copy", "format": "casedesk-document"},
    },
}
A_REFERENCE = convention.reference("a" * 64, "contract.pdf", 321, "application/pdf")


@pytest.mark.parametrize("content, kind", [
    (pdf(), "application/pdf"), (png(), "image/png"), (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
    (b"GIF89a....", "image/gif"), ("收據 receipt\n".encode(), "text/plain"),
    (docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (HTML, None), (EXECUTABLE, None), (plain_zip(), None), (b"\x00\x01binary", None),
    (b"<svg onload=alert(1)>", None),
])
def test_the_type_of_a_file_is_read_from_its_content(content: bytes, kind: str | None) -> None:
    assert sniff(content) == kind


def test_a_file_of_an_accepted_type_gets_its_reference_with_the_sha256_of_its_content() -> None:
    content = pdf()
    reference = checked(Upload("scans", "C:\\Users\\wang\\合同.pdf", content))
    assert reference["name"] == "合同.pdf"  # the client's folders are not kept
    assert reference["size"] == len(content) and reference["media_type"] == "application/pdf"
    assert reference["sha256"] == hashlib.sha256(content).hexdigest()


def test_a_page_renamed_pdf_is_refused_by_its_content_not_accepted_by_its_name() -> None:
    with pytest.raises(DocumentTypeRefused) as refused:
        checked(Upload("scans", "contract.pdf", HTML, ["application/pdf"]))
    assert refused.value.field_errors == {"scans": [str(refused.value)]}


def test_a_pdf_named_as_a_picture_is_refused_because_its_name_says_another_type() -> None:
    with pytest.raises(DocumentTypeRefused) as refused:
        checked(Upload("scans", "photo.png", pdf()))
    assert refused.value.reason == "name"


def test_a_file_of_a_type_the_field_does_not_take_is_refused() -> None:
    with pytest.raises(DocumentTypeRefused):
        checked(Upload("scans", "photo.png", png(), ["application/pdf"]))


def test_a_file_over_the_field_limit_is_refused_and_an_empty_file_too() -> None:
    with pytest.raises(DocumentTooLarge) as large:
        checked(Upload("scans", "big.pdf", pdf() + b" " * 1000, max_size=1000))
    assert large.value.details["limit"] == 1000
    with pytest.raises(DocumentRefused) as empty:
        checked(Upload("scans", "empty.pdf", b""))
    assert empty.value.reason == "empty"


def test_names_lose_control_characters_and_folders() -> None:
    assert clean_name("../../etc/pass\x00wd\r\n.txt") == "passwd.txt"
    assert clean_name("") == "file"


def test_the_convention_finds_file_fields_and_their_limits() -> None:
    fields = convention.document_fields(FORM)
    assert set(fields) == {"scans", "signed"}
    assert convention.accepted_types(fields["scans"]) == ["application/pdf", "image/png"]
    assert convention.max_size(fields["scans"]) == 1000
    assert convention.max_size(fields["signed"]) == convention.MAX_DOCUMENT_BYTES
    assert check_schema(FORM) == []


def test_deploy_refuses_unknown_types_and_sizes_over_the_system_limit() -> None:
    bad = {"type": "object", "properties": {"f": {"type": "object", "format": "casedesk-document",
                                                  "x-casedesk-accept": ["text/html"],
                                                  "x-casedesk-max-size": convention.MAX_DOCUMENT_BYTES + 1}}}
    problems = check_schema(bad)
    assert any("x-casedesk-accept" in p for p in problems) and any("x-casedesk-max-size" in p for p in problems)


def test_the_schema_accepts_references_and_refuses_anything_else_in_a_file_field() -> None:
    assert validate_submission(FORM, {"title": "x", "scans": [A_REFERENCE], "signed": A_REFERENCE}) == {}
    forged = dict(A_REFERENCE, sha256="not-a-hash")
    assert "scans/0" in validate_submission(FORM, {"title": "x", "scans": [forged]})
    assert "signed" in validate_submission(FORM, {"title": "x", "signed": {"path": "/etc/passwd"}})


def test_a_file_field_renders_as_a_file_box_with_what_it_accepts() -> None:
    scans = next(f for f in build_fields(FORM, {}, "en") if f.name == "scans")
    assert scans.widget == "file"
    assert scans.attributes["type"] == "file" and scans.attributes["multiple"] == "multiple"
    assert "application/pdf" in scans.attributes["accept"] and ".png" in scans.attributes["accept"]
    assert scans.attributes["data-max-size"] == "1000"


def test_files_attached_on_a_refused_post_come_back_with_the_typed_values() -> None:
    posted = MultiDict([("title", "Order 500 units"), ("scans", json.dumps(A_REFERENCE)),
                        ("signed", json.dumps(A_REFERENCE))])
    data, problems = parse_submission(FORM, posted)
    assert problems == {}
    assert data == {"title": "Order 500 units", "scans": [A_REFERENCE], "signed": A_REFERENCE}
    data, problems = parse_submission(FORM, MultiDict([("title", "t"), ("scans", "{not json")]))
    assert "scans" in problems and data["scans"] == []


def test_case_data_shows_an_attached_file_by_its_name_not_as_a_record() -> None:
    from forms.display import labelled_data

    class Plain:
        def date(self, value): return str(value)  # noqa: E704
        def date_time(self, value): return str(value)  # noqa: E704
        def money(self, value, currency): return str(value)  # noqa: E704
        def number(self, value): return str(value)  # noqa: E704
        def yes_no(self, value): return str(value)  # noqa: E704
        def duration(self, value): return value  # noqa: E704

    shown = {v.name: v for v in labelled_data({"f.json": FORM}, {"scans": [A_REFERENCE], "signed": A_REFERENCE},
                                               "en", Plain())}
    assert shown["scans"].items == ["contract.pdf · aaaaaaaaaaaa"]
    assert shown["signed"].items == ["contract.pdf · aaaaaaaaaaaa"]
