"""The quality findings register (R-4.2): every problem an inspection records, open until its measure is verified."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, UTCDateTime


class QualityFinding(Base):
    """One finding of a quality inspection: the case, the person responsible, the problem, its cause and
    the corrective measure. Written by the inspection's own steps, so a rolled-back step records nothing."""

    __tablename__ = "quality_finding"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # <instance id>-<n>
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    check_kind: Mapped[str] = mapped_column(String(20))  # self | peer | superior
    department: Mapped[str] = mapped_column(String(80), index=True)
    case_number: Mapped[str] = mapped_column(String(100))
    person: Mapped[str] = mapped_column(String(80), index=True)
    problem: Mapped[str] = mapped_column(Text)
    cause: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # open | closed
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
