"""SQLAlchemy 2.0 typed models: definitions, instances, inbox rows, event log, identity."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, hands back aware UTC on every database (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; casedesk stores UTC only")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)

class Base(DeclarativeBase):
    pass

class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    groups: Mapped[list["Group"]] = relationship(secondary="membership", lazy="selectin")

class Group(Base):
    __tablename__ = "app_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    # What staff read instead of the code `name`, per language (engine/group_titles.py); "" falls back.
    title_en: Mapped[str] = mapped_column(String(200), default="", server_default="")
    title_zh_hans: Mapped[str] = mapped_column(String(200), default="", server_default="")
    title_zh_hant: Mapped[str] = mapped_column(String(200), default="", server_default="")

class Membership(Base):
    __tablename__ = "membership"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("app_group.id", ondelete="CASCADE"), primary_key=True)

class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

class ProcessDefinition(Base):
    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    deployed_by: Mapped[str] = mapped_column(String(80))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Where the version came from (DEPLOY_ORIGINS): a deploy of files never supersedes an edit made elsewhere.
    origin: Mapped[str] = mapped_column(String(10), default="files", server_default="files")
    # False for a view-only model: stored to be seen and edited, never started.
    executable: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Why a view-only model cannot run: a JSON list of problems, element by element.
    model_problems: Mapped[str | None] = mapped_column(Text)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_by: Mapped[str | None] = mapped_column(String(80))
    files: Mapped[list["DefinitionFile"]] = relationship(
        back_populates="definition", order_by="DefinitionFile.name"
    )

class RetiredProcess(Base):
    """A process retired as a whole: no new instances of any version; running ones go on."""

    __tablename__ = "retired_process"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    retired_by: Mapped[str] = mapped_column(String(80))
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime())

class DefinitionFile(Base):
    """One source file of a definition version, stored verbatim."""

    __tablename__ = "definition_file"
    __table_args__ = (UniqueConstraint("definition_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    name: Mapped[str] = mapped_column(String(400))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    definition: Mapped[ProcessDefinition] = relationship(back_populates="files")

class ProcessInstance(Base):
    __tablename__ = "process_instance"
    # Instance lists are newest first, 200 at a time, by status, process or starter (bench/inbox.py):
    # each filter walks its own index in that order and stops at the page, whatever the table's size.
    __table_args__ = (
        # The starter rides along (PostgreSQL) so that a clerk's own list picks its page of ids from this index
        # alone, without visiting the rows it passes over.
        Index("ix_process_instance_created", "created_at", "id", postgresql_include=["started_by"]),
        Index("ix_process_instance_status_created", "status", "created_at"),
        Index("ix_process_instance_definition_created", "definition_id", "created_at"),
        Index("ix_process_instance_starter_created", "started_by", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    status: Mapped[str] = mapped_column(String(20))
    business_key: Mapped[str | None] = mapped_column(String(100), index=True)
    started_by: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(Text)
    # Head of the hash chain, kept here so appending an event never scans the log
    # and so a removed trailing event is detected by `verify`.
    event_seq: Mapped[int] = mapped_column(Integer, default=0)
    event_head: Mapped[str] = mapped_column(String(64))
    lock_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    definition: Mapped[ProcessDefinition] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}

class HumanTask(Base):
    """Inbox projection: one row per ready user task, queried instead of serialized state."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_group", "candidate_group"),
        Index("ix_human_task_assignee", "assignee"),
        # The tracker's order (due date, undated last, then the longest waiting) read off one index.
        Index("ix_human_task_due_created", "due_at", "created_at"),
        # The tracker's tasks per stage, and how many of them are late, counted off one index.
        Index("ix_human_task_stage", "definition_id", "task_spec", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(200))
    task_spec: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(400))
    candidate_group: Mapped[str | None] = mapped_column(String(80))
    assignee: Mapped[str | None] = mapped_column(String(80))
    form_file: Mapped[str | None] = mapped_column(String(400))
    ui_form_file: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # instructionsForEndUser rendered over the task's own data when it became ready (Markdown).
    instructions: Mapped[str | None] = mapped_column(Text())
    # The instance's version when the row was projected: the tracker counts tasks per stage from this
    # table alone (a migrated instance's rows are projected again).
    definition_id: Mapped[int | None] = mapped_column(Integer)
    # The version whose files hold the task's forms: a late-bound called process's own version, which may
    # be newer than the instance's; None for rows projected before it was kept (the instance's version).
    form_definition_id: Mapped[int | None] = mapped_column(Integer)

class InstanceEvent(Base):
    """Append-only, hash-chained history of one instance; no code updates or deletes a row."""

    __tablename__ = "instance_event"
    __table_args__ = (UniqueConstraint("instance_id", "seq"), Index("ix_instance_event_task_id", "task_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str | None] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(10))
    type: Mapped[str] = mapped_column(String(40))
    task_id: Mapped[str | None] = mapped_column(String(36))
    task_spec: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

class InstanceSummary(Base):
    """What instance reads use instead of the event log: the current data and how often each element
    completed, folded from the events by the step that appends them (engine/runtime/summary.py)."""

    __tablename__ = "instance_summary"

    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    completed: Mapped[str] = mapped_column(Text)

class InstanceParticipant(Base):
    """Who took part in an instance (any event's actor): the visibility check reads this, not the log."""

    __tablename__ = "instance_participant"
    __table_args__ = (Index("ix_instance_participant_username", "username"),)

    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    username: Mapped[str] = mapped_column(String(80), primary_key=True)

class CaseReference(Base):
    """The readable reference of a case (`C-20261130-0007`), given when it starts; staff never read its id.
    No foreign key: the reference is taken in the start's transaction before the instance row is written."""

    __tablename__ = "case_reference"

    instance_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)


class NumberSequence(Base):
    """The last number handed out per series and period (case numbers, archive numbers)."""

    __tablename__ = "number_sequence"

    series: Mapped[str] = mapped_column(String(80), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)

from casework import archive_models  # noqa: E402,F401  (registers its tables on Base.metadata)
from engine.jobs import models as jobs_models  # noqa: E402,F401  (registers its tables on Base.metadata)
from engine import account_models  # noqa: E402,F401  (registers its tables on Base.metadata)
from engine.messaging import models as messaging_models  # noqa: E402,F401  (registers its tables on Base.metadata)
from engine.messaging import signal_models  # noqa: E402,F401  (registers its tables on Base.metadata)
from casework import outbox as outbox_models  # noqa: E402,F401  (registers its table on Base.metadata)
from casework import risk_models  # noqa: E402,F401  (registers its tables on Base.metadata)
from casework import quality_models  # noqa: E402,F401  (registers its table on Base.metadata)
from engine.definitions import testcase_models  # noqa: E402,F401  (registers its table on Base.metadata)
from casework import leave_models  # noqa: E402,F401  (registers its table on Base.metadata)
from casework import training_models  # noqa: E402,F401  (registers its tables on Base.metadata)
from engine.documents import models as document_models  # noqa: E402,F401  (registers its tables on Base.metadata)
