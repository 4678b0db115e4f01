"""Store uploaded files by SHA-256 after checking their content, resolve the references a form sends,
and verify for replay that referenced content is still what was attached."""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping, cast

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from engine.clock import Clock
from engine.documents.models import Document, DocumentUpload
from engine.documents.sniff import name_fits, sniff
from engine.errors import InvalidInput, N_, NotFound
from engine.persistence import Database
from forms import documents as convention

DOCUMENTS = cast(Table, Document.__table__)
UPLOADS = cast(Table, DocumentUpload.__table__)
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class DocumentRefused(InvalidInput):
    """A file or reference refused; `reason` (too_large, type, name, empty, unknown) lets pages word it.
    Nothing was stored."""

    def __init__(self, field_name: str, reason: str, message: str, **details: Any):
        super().__init__(message, {field_name: [message]})
        self.field_name = field_name
        self.reason = reason
        self.details = details


class DocumentTooLarge(DocumentRefused):
    """Larger than the field (or the system) allows: HTTP 413."""


class DocumentTypeRefused(DocumentRefused):
    """Content of a type the field does not accept, or whose name says another type: HTTP 415."""


@dataclass(frozen=True)
class Upload:
    """One file as posted: the form field it was posted for, its name as the client gave it, its bytes."""

    field: str
    filename: str
    content: bytes
    accept: list[str] = field(default_factory=lambda: list(convention.ACCEPTED_TYPES))
    max_size: int = convention.MAX_DOCUMENT_BYTES


@dataclass(frozen=True)
class StoredDocument:
    sha256: str
    size: int
    media_type: str
    original_name: str
    uploaded_by: str
    uploaded_at: datetime
    content: bytes


def clean_name(filename: str) -> str:
    """The file's own name without a client's folders or control characters, at most 255 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip()
    return name[-convention.MAX_NAME_LENGTH:] or "file"


def checked(upload: Upload) -> dict[str, Any]:
    """The reference the upload will have, or DocumentRefused saying why not (nothing is stored here)."""
    size = len(upload.content)
    if size == 0:
        raise DocumentRefused(upload.field, "empty", f"{upload.filename!r} is empty")
    if size > upload.max_size:
        raise DocumentTooLarge(upload.field, "too_large", f"{upload.filename!r} has {size} bytes; this field "
                               f"takes files of at most {upload.max_size} bytes", limit=upload.max_size)
    media_type = sniff(upload.content)
    name = clean_name(upload.filename)
    if media_type is None or media_type not in upload.accept:
        raise DocumentTypeRefused(upload.field, "type", f"{upload.filename!r} is "
                                  f"{'of a kind' if media_type is None else media_type} this field does not take; "
                                  f"it takes {', '.join(upload.accept)}", accept=upload.accept)
    if not name_fits(name, media_type):
        raise DocumentTypeRefused(upload.field, "name", f"{upload.filename!r} holds {media_type}, which its name "
                                  f"does not say; name it {'/'.join(convention.ACCEPTED_TYPES[media_type])}",
                                  accept=upload.accept)
    return convention.reference(hashlib.sha256(upload.content).hexdigest(), name, size, media_type)


class DocumentService:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    def store(self, uploads: Iterable[Upload], user: str) -> list[dict[str, Any]]:
        """Check every upload first, then store them in one transaction: all or nothing. Content already
        stored is not stored again (the same SHA-256); the uploader is recorded as holding it."""
        uploads = list(uploads)
        references = [checked(upload) for upload in uploads]
        now = self.clock.now()
        with self.db.transaction() as conn:
            insert = _INSERTS[conn.dialect.name]
            for upload, ref in zip(uploads, references):
                conn.execute(insert(DOCUMENTS).values(
                    sha256=ref["sha256"], size=ref["size"], media_type=ref["media_type"],
                    original_name=ref["name"], uploaded_by=user[:80], uploaded_at=now, content=upload.content,
                ).on_conflict_do_nothing(index_elements=[DOCUMENTS.c.sha256]))
                conn.execute(insert(UPLOADS).values(sha256=ref["sha256"], username=user[:80], uploaded_at=now)
                             .on_conflict_do_nothing(index_elements=[UPLOADS.c.sha256, UPLOADS.c.username]))
        return references

    def resolve(self, schema: Mapping[str, Any], data: Mapping[str, Any], user: str,
                case_hashes: Iterable[str] = ()) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """The form's data with each reference as stored (size and type from the content), and a message
        per document field whose reference is unknown, not the user's to attach, or over the field's limits.
        A reference the case already holds (`case_hashes`) may be sent again by anyone working the case."""
        resolved, problems = dict(data), {}
        fields = convention.document_fields(schema)
        wanted = {ref["sha256"] for name in fields for ref in convention.field_references(fields[name], data.get(name))}
        if not wanted:
            return resolved, problems
        known = set(case_hashes)
        with self.db.transaction() as conn:
            stored = {r.sha256: r for r in conn.execute(
                select(DOCUMENTS.c.sha256, DOCUMENTS.c.size, DOCUMENTS.c.media_type)
                .where(DOCUMENTS.c.sha256.in_(sorted(wanted))))}
            held = set(conn.execute(select(UPLOADS.c.sha256).where(
                UPLOADS.c.sha256.in_(sorted(wanted)), UPLOADS.c.username == user)).scalars())
        for name, node in fields.items():
            if name not in data:
                continue
            refs = []
            for ref in convention.field_references(node, data[name]):
                row = stored.get(ref["sha256"])
                if row is None or (ref["sha256"] not in held and ref["sha256"] not in known):
                    problems.setdefault(name, []).append(f"{ref['name']!r}: no such uploaded document; "
                                                         "upload it first (POST /api/v1/documents)")
                    continue
                if row.size > convention.max_size(node):
                    problems.setdefault(name, []).append(f"{ref['name']!r} has {row.size} bytes; this field takes "
                                                         f"files of at most {convention.max_size(node)} bytes")
                if row.media_type not in convention.accepted_types(node):
                    problems.setdefault(name, []).append(f"{ref['name']!r} is {row.media_type}; this field takes "
                                                         f"{', '.join(convention.accepted_types(node))}")
                refs.append(convention.reference(row.sha256, clean_name(ref["name"]), row.size, row.media_type))
            if convention.is_list_field(node):
                resolved[name] = refs if isinstance(data[name], list) else data[name]
            elif refs:
                resolved[name] = refs[0]
        return resolved, problems

    def get(self, sha256: str) -> StoredDocument:
        with self.db.transaction() as conn:
            return content_of(conn, sha256)

def verify_documents(conn: Connection, references: Iterable[Mapping[str, Any]]) -> list[str]:
    """Why referenced content no longer matches its reference (missing, changed, other size): for replay."""
    problems = []
    for ref in references:
        row = conn.execute(select(DOCUMENTS.c.content).where(DOCUMENTS.c.sha256 == ref["sha256"])).first()
        content = None if row is None else bytes(row.content)
        if content is None:
            problems.append(f"document {ref['name']!r} ({ref['sha256'][:12]}…) is not stored")
        elif hashlib.sha256(content).hexdigest() != ref["sha256"]:
            problems.append(f"document {ref['name']!r} ({ref['sha256'][:12]}…) no longer has its SHA-256")
        elif len(content) != ref["size"]:
            problems.append(f"document {ref['name']!r} ({ref['sha256'][:12]}…) has another size")
    return problems


def content_of(conn: Connection, sha256: str) -> StoredDocument:
    row = conn.execute(select(DOCUMENTS).where(DOCUMENTS.c.sha256 == sha256)).first()
    if row is None:
        raise NotFound(N_("no document %(document)s"), document=sha256[:12])
    return StoredDocument(row.sha256, row.size, row.media_type, row.original_name, row.uploaded_by,
                          row.uploaded_at, bytes(row.content))
