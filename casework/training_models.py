"""Tables of training and development (R-7): needs, plans, sessions, attendance per person, career plans."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, UTCDateTime


class TrainingNeed(Base):
    """One training need found by a needs analysis (R-7.1): from a survey answer, an interview or the
    appraisal results (R-4.3)."""

    __tablename__ = "training_need"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)  # the training_needs round
    person: Mapped[str] = mapped_column(String(80))
    department: Mapped[str] = mapped_column(String(40))
    skill: Mapped[str] = mapped_column(String(400))
    priority: Mapped[str] = mapped_column(String(10))  # high | medium | low
    source: Mapped[str] = mapped_column(String(20))  # survey | interview | appraisal
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrainingPlan(Base):
    """An annual or special training plan (R-7.2), numbered PX-<year>-<n>."""

    __tablename__ = "training_plan"
    __table_args__ = (Index("ix_training_plan_status", "status"),)

    number: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # annual | special
    title: Mapped[str] = mapped_column(String(400))
    goal: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(20))  # classroom | on_the_job | online | external
    starts_on: Mapped[str] = mapped_column(String(10))  # ISO date of the first session
    session_count: Mapped[int] = mapped_column(Integer)
    every_days: Mapped[int] = mapped_column(Integer)
    trainer: Mapped[str] = mapped_column(String(200))
    participants: Mapped[str] = mapped_column(Text)  # JSON list of user names
    budget: Mapped[float] = mapped_column(Float)
    # submitted -> approved | returned (amended, submitted again) -> approved
    status: Mapped[str] = mapped_column(String(20))
    approval_note: Mapped[str] = mapped_column(Text, default="")
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrainingSession(Base):
    """One session an approved plan scheduled (R-7.3): its date, trainer, what was covered."""

    __tablename__ = "training_session"

    number: Mapped[str] = mapped_column(String(48), primary_key=True)  # <plan>-<n>
    plan_number: Mapped[str] = mapped_column(String(40), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    trainer: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # scheduled | held
    record: Mapped[str] = mapped_column(Text, default="")
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TrainingAttendance(Base):
    """One participant of one session (R-7.3): signed in or absent, the assessment, the absence's follow-up.
    Together they are each person's training record."""

    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("session_number", "person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_number: Mapped[str] = mapped_column(String(48), index=True)
    person: Mapped[str] = mapped_column(String(80), index=True)
    attended: Mapped[bool | None] = mapped_column(Boolean)  # None until the sign-in list is confirmed
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    assessment_note: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str | None] = mapped_column(String(20))  # make_up | excused | warned
    follow_up_note: Mapped[str] = mapped_column(Text, default="")


class CareerPlan(Base):
    """A person's career development plan (R-7.4), agreed with and reviewed periodically by the superior."""

    __tablename__ = "career_plan"

    number: Mapped[str] = mapped_column(String(40), primary_key=True)  # ZY-<year>-<n>
    person: Mapped[str] = mapped_column(String(80), index=True)
    superior: Mapped[str] = mapped_column(String(80))
    target_position: Mapped[str] = mapped_column(String(400), default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    planned_trainings: Mapped[str] = mapped_column(Text, default="")
    # opened -> drafted -> returned | active -> closed
    status: Mapped[str] = mapped_column(String(20))
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    review_months: Mapped[int] = mapped_column(Integer)
    next_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
