"""Tables of attached documents: the content once per SHA-256, and who uploaded it (proof of holding it)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, UTCDateTime


class Document(Base):
    """One file's content, stored once whoever uploads it again; never updated or deleted.

    The bytes live in the database, beside the event log that references them: one transaction,
    one backup, the same on SQLite and PostgreSQL, and every node of a cluster reads them without a
    shared file system. Files are bounded (forms/documents.py MAX_DOCUMENT_BYTES)."""

    __tablename__ = "documents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    content: Mapped[bytes] = mapped_column(LargeBinary)


class DocumentUpload(Base):
    """Who has uploaded a content: a reference is accepted in a form only from someone who holds the file."""

    __tablename__ = "document_upload"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
