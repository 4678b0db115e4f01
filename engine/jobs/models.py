"""Tables of the job runner: due jobs (timers, service retries, timer starts) and incidents."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, UTCDateTime


class Job(Base):
    """Something an instance (or a timer-started process) waits for until `due_at`.

    Rows for `timer` and `retry` jobs are a projection of the instance state, written by the
    step that made the instance wait; `start` rows belong to a deployed process with a timer
    start event. A worker holds a job while `lease_expires_at` lies ahead.
    """

    __tablename__ = "job"
    __table_args__ = (
        UniqueConstraint("kind", "instance_id", "task_id"),
        UniqueConstraint("kind", "process_key"),
        Index("ix_job_due", "status", "due_at"),
        Index("ix_job_lease_owner", "lease_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # timer | retry | start
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | failed (an incident holds it)
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    element: Mapped[str] = mapped_column(String(200))
    process_key: Mapped[str | None] = mapped_column(String(200))
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Incident(Base):
    """An instance stuck until an administrator acts: a service task out of retries, or a job that keeps failing."""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # service | job | error (an uncaught BPMN error failed the instance)
    task_id: Mapped[str | None] = mapped_column(String(36))
    element: Mapped[str] = mapped_column(String(200))
    job_id: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))  # open | resolved | closed
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(80))
