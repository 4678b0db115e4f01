"""What a file is, read from its first bytes (and a zip's table of contents), never from its name alone."""
from __future__ import annotations

import io
import zipfile

from forms.documents import ACCEPTED_TYPES

_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_OFFICE = (("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
           ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
_TEXT_CONTROLS = set(range(32)) - {9, 10, 12, 13}


def sniff(content: bytes) -> str | None:
    """The media type the content is, among ACCEPTED_TYPES; None for anything else (HTML, programs, archives)."""
    for magic, media_type in _SIGNATURES:
        if content.startswith(magic):
            return media_type
    if content.startswith(b"PK\x03\x04"):
        return _office_type(content)
    return "text/plain" if _is_plain_text(content) else None


def _office_type(content: bytes) -> str | None:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((media_type for part, media_type in _OFFICE if part in names), None)


def _is_plain_text(content: bytes) -> bool:
    """UTF-8 text without control characters, and not markup a browser would run as a page."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if any(ord(c) in _TEXT_CONTROLS for c in text[:65536]):
        return False
    head = text.lstrip("\ufeff \t\r\n")[:512].lower()
    return not head.startswith(("<!doctype", "<html", "<script", "<svg", "<?xml"))


def name_fits(name: str, media_type: str) -> bool:
    """The file's name ends as files of its (sniffed) type do: `photo.png` holding a PDF is refused."""
    return name.lower().endswith(ACCEPTED_TYPES.get(media_type, ()))
