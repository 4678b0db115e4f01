"""Table of a process's saved test cases: a script and the path and stop it is expected to give."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, UTCDateTime


class ProcessTestCase(Base):
    """Kept by process key, not by version: every new version of the process is checked against it."""

    __tablename__ = "process_test_case"
    __table_args__ = (UniqueConstraint("process_key", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(200))
    script: Mapped[str] = mapped_column(Text)  # TestScript as JSON
    expected: Mapped[str] = mapped_column(Text)  # {"path": [...], "stop": {"kind", "element"}} as JSON
    saved_by: Mapped[str] = mapped_column(String(80))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    saved_on_version: Mapped[int | None] = mapped_column(Integer)  # None: saved from a draft
