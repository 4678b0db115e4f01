"""Tables of the archive register (R-6): archives, their filed items, borrowings, the access log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, UTCDateTime


class Archive(Base):
    """One archive (檔案) per finished business activity, numbered in its class's series (R-6.2)."""

    __tablename__ = "archive"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    archive_class: Mapped[str] = mapped_column(String(20), index=True)
    # One archive per case: filing the same case twice is refused, never a second archive.
    case_number: Mapped[str | None] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(20))  # "open" while collecting, "complete" after
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by_instance: Mapped[str | None] = mapped_column(String(36))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ArchiveItem(Base):
    """One filed document of an archive; append-only (a database trigger refuses updates and deletes)."""

    __tablename__ = "archive_item"
    __table_args__ = (UniqueConstraint("archive_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("archive.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))  # application_material | case_record
    name: Mapped[str] = mapped_column(String(400))
    content: Mapped[str] = mapped_column(Text)  # canonical JSON
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_by_instance: Mapped[str | None] = mapped_column(String(36))


class ArchiveBorrowing(Base):
    """One borrowing application (R-6.4); its id is the id of the archive_borrowing instance."""

    __tablename__ = "archive_borrowing"
    __table_args__ = (Index("ix_archive_borrowing_reader", "archive_id", "borrower"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    archive_id: Mapped[int] = mapped_column(ForeignKey("archive.id"))
    borrower: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[str] = mapped_column(Text)
    days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # pending | approved | rejected | returned
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ArchiveAccess(Base):
    """Every attempt to read an archive, granted or refused (R-6.4); append-only like archive_item."""

    __tablename__ = "archive_access"
    __table_args__ = (Index("ix_archive_access_number", "archive_number", "at"),
                      Index("ix_archive_access_username", "username", "at"))  # the access log by user

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    username: Mapped[str] = mapped_column(String(80))
    # The number as asked for: attempts on numbers that do not exist are recorded too.
    archive_number: Mapped[str] = mapped_column(String(40))
    borrowing_id: Mapped[str | None] = mapped_column(String(36))
    outcome: Mapped[str] = mapped_column(String(10))  # granted | refused
    reason: Mapped[str] = mapped_column(String(400))
