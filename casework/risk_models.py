"""Tables of risk management (R-5): the risk register, indicators with thresholds, entered readings, warnings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, UTCDateTime


class Risk(Base):
    """One identified risk (R-5.1) with its assessment and its response (R-5.2), numbered FX-<year>-<n>."""

    __tablename__ = "risk"
    __table_args__ = (Index("ix_risk_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    category: Mapped[str] = mapped_column(String(20))  # market | credit | operational
    title: Mapped[str] = mapped_column(String(400))
    description: Mapped[str] = mapped_column(Text)
    # identified -> assessed -> planned -> approved; a plan sent back for revision is "planned" again
    status: Mapped[str] = mapped_column(String(20))
    level: Mapped[str | None] = mapped_column(String(10))  # low | medium | high
    impact: Mapped[str | None] = mapped_column(String(10))  # minor | moderate | severe
    assessment: Mapped[str] = mapped_column(Text, default="")
    response: Mapped[str | None] = mapped_column(String(10))  # avoid | reduce | transfer | accept
    measures: Mapped[str] = mapped_column(Text, default="")
    responsible_department: Mapped[str | None] = mapped_column(String(40))
    responsible_person: Mapped[str | None] = mapped_column(String(80))
    # who approved is in the round's event log (the approval task's submission)
    approval_note: Mapped[str] = mapped_column(Text, default="")
    instance_id: Mapped[str] = mapped_column(String(36), index=True)  # the risk_assessment round
    identified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RiskIndicator(Base):
    """A monitored indicator (R-5.3) with its warning threshold; `state` arms it once per crossing."""

    __tablename__ = "risk_indicator"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(10))  # computed | entered
    threshold: Mapped[float] = mapped_column(Float)
    threshold_set_by: Mapped[str | None] = mapped_column(String(80))  # None: the default, never changed
    threshold_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responsible_department: Mapped[str] = mapped_column(String(40))
    responsible_person: Mapped[str] = mapped_column(String(80))
    alert_email: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10))  # normal | warning (armed again when back under)
    last_value: Mapped[float | None] = mapped_column(Float)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RiskReading(Base):
    """A value of an entered indicator as a user recorded it (R-5.3)."""

    __tablename__ = "risk_reading"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), index=True)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    instance_id: Mapped[str] = mapped_column(String(36))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RiskWarning(Base):
    """One warning per crossing of a threshold (R-5.3), followed until its measures are verified."""

    __tablename__ = "risk_warning"
    __table_args__ = (Index("ix_risk_warning_status", "status"),)

    number: Mapped[str] = mapped_column(String(40), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), index=True)
    value: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    responsible_department: Mapped[str] = mapped_column(String(40))
    responsible_person: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20))  # raised | alerted | measures_taken | closed
    measures: Mapped[str] = mapped_column(Text, default="")
    verification: Mapped[str] = mapped_column(Text, default="")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    raised_by_instance: Mapped[str] = mapped_column(String(36))
    warning_instance: Mapped[str | None] = mapped_column(String(36))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
