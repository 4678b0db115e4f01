"""Hardened XML parsing for uploaded BPMN/DMN files: no DTDs, entities, network or huge trees."""
from __future__ import annotations

import codecs
import re
from io import BytesIO

from lxml import etree

from engine.errors import CasedeskError

DEFAULT_MAX_BYTES = 5_000_000

# A DOCTYPE must precede the root element, so looking for one in the prolog lets us refuse
# before libxml2 reads any declaration; scripts in CDATA further down may mention it freely.
# UTF-16/32 documents are decoded first so the check cannot be dodged by changing encoding.
_DOCTYPE_PATTERN = re.compile(r"<!\s*doctype", re.IGNORECASE)
_FIRST_START_TAG = re.compile(r"<[A-Za-z_]")
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_LIBXML_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")


class UnsafeXml(CasedeskError):
    """An XML file was refused: too large, not well-formed, or using DTD features."""

    def __init__(self, filename: str, reason: str):
        super().__init__(f"{filename}: {reason}")
        self.filename = filename
        self.reason = reason


def parse_xml(data: bytes, filename: str, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._ElementTree:
    """Parse `data` as XML, refusing anything that could expand, reach out, or exhaust memory."""
    if not isinstance(data, (bytes, bytearray)):
        raise UnsafeXml(filename, f"expected bytes, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise UnsafeXml(filename, f"file larger than {max_bytes} bytes ({len(data)} bytes)")
    if _declares_doctype(bytes(data)):
        raise UnsafeXml(filename, "DOCTYPE is not allowed")

    parser = _hardened_parser()
    try:
        tree = etree.parse(BytesIO(data), parser)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(filename, f"not well-formed XML: {_describe_syntax_error(exc)}") from None

    # The byte scan is a fast path; the parsed document is the authority.
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise UnsafeXml(filename, "DOCTYPE is not allowed")
    if tree.getroot() is None:
        raise UnsafeXml(filename, "not well-formed XML: line 1: document has no root element")
    return tree


def _hardened_parser() -> etree.XMLParser:
    # A fresh parser per call keeps each call's error log separate.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        recover=False,
    )


def _declares_doctype(data: bytes) -> bool:
    return bool(_DOCTYPE_PATTERN.search(_prolog(_as_text(data))))


def _as_text(data: bytes) -> str:
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    # Without a BOM, UTF-16/32 text still shows NUL-interleaved ASCII.
    if b"\x00" in data[:4]:
        return data.replace(b"\x00", b"").decode("latin-1")
    return data.decode("latin-1")


def _prolog(text: str) -> str:
    start_tag = _FIRST_START_TAG.search(text)
    return text if start_tag is None else text[: start_tag.start()]


def _describe_syntax_error(exc: etree.XMLSyntaxError) -> str:
    # exc.error_log can carry entries from earlier parses in this thread; msg/lineno are this one's.
    message = _LIBXML_POSITION_SUFFIX.sub("", exc.msg or str(exc))
    return f"line {exc.lineno or 1}: {message}"
