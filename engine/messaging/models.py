"""The table of message subscriptions: one row per waiting message catch of a running instance."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base


class MessageSubscription(Base):
    """A message an instance waits for (catch event, receive task, boundary event, event-based branch).

    A projection of the instance state, written by the step that made the instance wait, the way
    `human_task` rows project ready user tasks. `correlation` holds the values (JSON, by correlation
    property id) a message must carry to reach this instance; `{}` until the instance knows any.
    `task_id` is the waiting task's id, or for an event-based gateway one id per message it waits for.
    """

    __tablename__ = "message_subscription"
    __table_args__ = (Index("ix_message_subscription_name", "message_name"),)

    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_name: Mapped[str] = mapped_column(String(200))
    element: Mapped[str] = mapped_column(String(200))
    correlation: Mapped[str] = mapped_column(Text)
