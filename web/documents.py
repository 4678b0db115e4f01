"""Files in web requests: uploads of a form's file fields, refusals worded for the page, safe downloads,
and the attached documents a case page lists."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote

from flask import Response, request
from flask_babel import gettext as _

from engine.documents.service import DocumentRefused, StoredDocument, Upload
from forms import documents as convention
from forms.fields import field_label

from .i18n import bundle_text, language_tag
from .security import STORED_FILE_POLICY

# Content types a download may carry: each is shown by a browser only as what it is, never as a page.
SAFE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class CaseDocument:
    """An attached file as a case page lists it: the field's label in the page's language, and the file."""

    label: str
    sha256: str
    name: str
    size: int
    media_type: str


def posted_uploads(schema: Mapping[str, Any]) -> tuple[list[Upload], dict[str, list[str]]]:
    """The files posted for the form's file fields (empty file boxes are skipped); a field taking one file
    that was sent several is a message on the field."""
    uploads, problems = [], {}
    for name, node in convention.document_fields(schema).items():
        files = [f for f in request.files.getlist(name) if f.filename]
        if len(files) > 1 and not convention.is_list_field(node):
            problems[name] = [_("Attach one file here.")]
            continue
        uploads += [Upload(name, f.filename or "", f.read(), convention.accepted_types(node), convention.max_size(node))
                    for f in files]
    return uploads, problems


def refusal_status(error: DocumentRefused) -> int:
    return {"too_large": 413, "type": 415, "name": 415}.get(error.reason, 422)


def refusal_message(error: DocumentRefused, filename: str) -> str:
    """Why a file was refused, in the page's language; nothing was stored."""
    if error.reason == "too_large":
        return _("“%(name)s” is too large: this field takes files of at most %(size)s. Nothing was saved.",
                 name=filename, size=readable_size(int(error.details.get("limit", 0))))
    if error.reason == "empty":
        return _("“%(name)s” is empty. Nothing was saved.", name=filename)
    if error.reason == "name":
        return _("The content of “%(name)s” is not what its name says. Nothing was saved.", name=filename)
    return _("“%(name)s” is not a kind of file this field takes (%(kinds)s). Nothing was saved.",
             name=filename, kinds=", ".join(kind_label(t) for t in error.details.get("accept", [])))


def kind_label(media_type: str) -> str:
    return {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF",
            "text/plain": _("text"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (.xlsx)"}.get(media_type, media_type)


def readable_size(size: int) -> str:
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return _("%(n)s bytes", n=size)


def case_documents(forms: Mapping[str, Mapping[str, Any]], data: Mapping[str, Any]) -> list[CaseDocument]:
    """The files a case's data holds, each labelled by the form field that took it."""
    labels: dict[str, str] = {}
    for schema in forms.values():
        for name, node in convention.document_fields(schema).items():
            labels.setdefault(name, field_label(node, language_tag(), name, bundle_text))
    return [CaseDocument(labels.get(variable, variable), ref["sha256"], ref["name"], ref["size"], ref["media_type"])
            for variable, ref in convention.references_in(data)]


def download(document: StoredDocument, name: str | None = None) -> Response:
    """The file as an attachment of a type browsers will neither render as a page nor sniff."""
    media_type = document.media_type if document.media_type in SAFE_TYPES else "application/octet-stream"
    if media_type == "text/plain":
        media_type = "text/plain; charset=utf-8"
    filename = name or document.original_name
    fallback = "".join(c for c in filename if c.isascii() and (c.isalnum() or c in "._-")) or "document"
    return Response(document.content, content_type=media_type, headers={
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": STORED_FILE_POLICY,
        "Cache-Control": "private, no-store",
    })
