"""The table of signal subscriptions: one row per signal catch a running instance waits at."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base


class SignalSubscription(Base):
    """A signal an instance waits for (intermediate catch, boundary event, event-based branch).

    A projection of the instance state written by the step that made it wait, like `human_task`:
    a thrown signal is broadcast to the instances listed here under its name.
    """

    __tablename__ = "signal_subscription"
    __table_args__ = (Index("ix_signal_subscription_name", "signal_name"),)

    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    signal_name: Mapped[str] = mapped_column(String(200))
    element: Mapped[str] = mapped_column(String(200))
