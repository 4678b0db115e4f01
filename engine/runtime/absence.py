"""Who is away from work, as the task routing needs to know it: the absence policy the composition root injects.

The engine knows nothing of how absence is decided (R-3.1's leave register lives in `casework.leave`);
it only asks a policy who is absent at a moment, and keeps absent people from holding or taking tasks.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Protocol

from sqlalchemy import ColumnElement, Connection, false, select
from sqlalchemy.orm import Session

from engine.errors import Conflict
from engine.models import Group, Membership, User


@dataclass(frozen=True)
class Absence:
    """One person away from `first_day` to `last_day` (inclusive) under the record `leave_id`; back at `ends_at`."""

    username: str
    leave_id: str
    leave_type: str
    first_day: date
    last_day: date
    ends_at: datetime
    cover: str = ""  # who the absent person named to cover their work, if anyone


class OnLeave(Conflict):
    """Someone away was about to take a task (claim it, or complete a task of their group): refused (R-3.1)."""

    def __init__(self, absence: Absence):
        super().__init__(f"{absence.username} is on leave until {absence.last_day.isoformat()} (R-3.1, leave "
                         f"{absence.leave_id}): nobody takes a task while away; end the leave early to work again")
        self.absence = absence


class AbsencePolicy(Protocol):
    def absent(self, conn: Connection | Session, now: datetime,
               usernames: Iterable[str] | None = None) -> dict[str, Absence]:
        """Of `usernames` (everyone for None), who is away at `now`, with the absence that covers it."""
        ...

    def absent_condition(self, username: ColumnElement[str],
                         now: ColumnElement[datetime]) -> ColumnElement[bool] | None:
        """`username` is away at `now`, as SQL: folded into a statement the caller sends anyway (the task lock
        of every completion), so asking costs no round trip. None when the policy cannot say it in SQL: the
        caller then asks `absent`."""
        ...


class NobodyAbsent:
    """The policy of a deployment that records no absence: everyone is at work."""

    def absent(self, conn: Connection | Session, now: datetime,
               usernames: Iterable[str] | None = None) -> dict[str, Absence]:
        return {}

    def absent_condition(self, username: ColumnElement[str],
                         now: ColumnElement[datetime]) -> ColumnElement[bool] | None:
        return false()


def group_members(conn: Connection | Session, group: str) -> list[str]:
    """Active members of `group`, by name."""
    return list(conn.execute(select(User.username).join(Membership, Membership.user_id == User.id)
                             .join(Group, Group.id == Membership.group_id)
                             .where(Group.name == group, User.active.is_(True))
                             .order_by(User.username)).scalars())


def all_absent_groups(policy: AbsencePolicy, conn: Connection | Session, groups: Iterable[str],
                      now: datetime) -> dict[str, list[Absence]]:
    """Of `groups`, those with members and every one of them absent at `now`: group -> their absences."""
    found: dict[str, list[Absence]] = {}
    for group in sorted(set(groups)):
        members = group_members(conn, group)
        absent = policy.absent(conn, now, members) if members else {}
        if members and len(absent) == len(members):
            found[group] = [absent[m] for m in members]
    return found
