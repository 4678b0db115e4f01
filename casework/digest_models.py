"""Tables of the staff digest: each user's notification settings, and which task was told to whom and why."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, UTCDateTime


class StaffNotificationSetting(Base):
    """A user's choice about the e-mail digest; no row means the defaults (digest on, address from the domain)."""

    __tablename__ = "staff_notification_setting"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    digest: Mapped[bool] = mapped_column(default=True)
    email: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(10), default="en")  # en | zh-Hans | zh-Hant


class StaffDigestSent(Base):
    """One task named in one user's digest for one reason (new, due_soon, overdue): never named twice."""

    __tablename__ = "staff_digest_sent"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reason: Mapped[str] = mapped_column(String(10), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
