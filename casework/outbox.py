"""The local outbox: e-mail and SMS notices kept in a table instead of sent (the embedded demo), read by administrators."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Index, String, Text, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.models import Base, UTCDateTime


class OutboxMessage(Base):
    """One notice as it would have gone out; written in the step's transaction, so a rolled-back step leaves none."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # email | sms
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(400))
    message: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(300))
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Notice:
    channel: str
    recipient: str
    subject: str
    message: str
    reference: str
    instance_id: str | None


def put(connection: Connection, notice: Notice, now: datetime) -> int:
    """Keep one notice; its id is the receipt."""
    result = connection.execute(insert(OutboxMessage.__table__).values(
        channel=notice.channel, recipient=notice.recipient, subject=notice.subject, message=notice.message,
        reference=notice.reference, instance_id=notice.instance_id, created_at=now))
    primary_key = result.inserted_primary_key
    assert primary_key is not None
    return int(primary_key[0])


def recent(session: Session, limit: int = 200, channel: str | None = None) -> list[OutboxMessage]:
    """The newest notices first."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if channel is not None:
        query = query.where(OutboxMessage.channel == channel)
    return list(session.scalars(query))
