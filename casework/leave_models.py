"""The leave register (R-3.1): one row per leave request, approved leave making its requester absent."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, UTCDateTime


class LeaveRecord(Base):
    """A leave request as its `leave_request` instance (same id) leaves it: requested, rejected (to amend),
    approved or withdrawn. Approved leave covers [starts_at, ends_at): the requester is absent then."""

    __tablename__ = "leave_record"
    __table_args__ = (Index("ix_leave_record_absence", "status", "starts_at", "ends_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the leave_request instance
    requester: Mapped[str] = mapped_column(String(80), index=True)
    department: Mapped[str | None] = mapped_column(String(80))  # the group whose head approves, if any
    superior_group: Mapped[str] = mapped_column(String(80))
    leave_type: Mapped[str] = mapped_column(String(20))  # annual | sick | personal | marriage | maternity | bereavement
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())  # first day, 00:00 in the company's time zone
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the day after the last day, 00:00
    reason: Mapped[str] = mapped_column(Text)
    cover: Mapped[str] = mapped_column(String(80), default="")  # who covers the requester's work
    status: Mapped[str] = mapped_column(String(20))  # requested | rejected | approved | withdrawn
    decision_note: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claims_returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
