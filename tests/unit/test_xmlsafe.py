"""The hardened XML parser refuses DTDs, entities, oversize and malformed input."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.errors import CasedeskError
from engine.definitions.xmlsafe import UnsafeXml, parse_xml

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn" / "broken"
CLEAN = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn" / "review_bundle"


def refusal(data: bytes, **kwargs: int) -> str:
    with pytest.raises(UnsafeXml) as caught:
        parse_xml(data, "upload.bpmn", **kwargs)
    assert caught.value.filename == "upload.bpmn"
    assert str(caught.value).startswith("upload.bpmn: ")
    return caught.value.reason


def test_clean_bpmn_parses_to_an_element_tree() -> None:
    tree = parse_xml((CLEAN / "review_case.bpmn").read_bytes(), "review_case.bpmn")
    assert isinstance(tree, etree._ElementTree)
    assert etree.QName(tree.getroot()).localname == "definitions"


def test_external_entity_is_refused() -> None:
    assert refusal((BROKEN / "external_entity.bpmn").read_bytes()) == "DOCTYPE is not allowed"


def test_billion_laughs_is_refused() -> None:
    assert refusal((BROKEN / "billion_laughs.bpmn").read_bytes()) == "DOCTYPE is not allowed"


def test_inline_external_entity_declaration_is_refused() -> None:
    data = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    assert refusal(data) == "DOCTYPE is not allowed"


def test_doctype_hidden_behind_a_prolog_comment_is_refused() -> None:
    assert refusal(b"<!-- <note> --><!DOCTYPE x><x/>") == "DOCTYPE is not allowed"


def test_doctype_in_utf16_is_refused() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'.encode("utf-16")
    assert refusal(data) == "DOCTYPE is not allowed"


def test_undeclared_entity_reference_is_not_well_formed() -> None:
    reason = refusal(b"<x>\n&e;</x>")
    assert reason.startswith("not well-formed XML: line 2: ")
    assert "'e'" in reason


def test_oversize_file_is_refused_before_parsing() -> None:
    reason = refusal(b"<x>" + b"a" * 200 + b"</x>", max_bytes=100)
    assert reason.startswith("file larger than 100 bytes")


def test_malformed_xml_reports_its_line() -> None:
    reason = refusal(b"<a>\n  <b>\n</a>")
    assert reason.startswith("not well-formed XML: line 3: ")


@pytest.mark.parametrize("data", [b"", b'{"not": "xml"}', b"plain text", b"\x00\x01\x02"])
def test_non_xml_is_refused(data: bytes) -> None:
    assert refusal(data).startswith("not well-formed XML: ")


def test_doctype_text_inside_cdata_is_just_text() -> None:
    tree = parse_xml(b"<script><![CDATA[html = '<!DOCTYPE html>']]></script>", "upload.bpmn")
    assert "<!DOCTYPE html>" in tree.getroot().text


def test_unsafe_xml_is_a_casedesk_error() -> None:
    assert issubclass(UnsafeXml, CasedeskError)
