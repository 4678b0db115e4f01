"""Leave requests stuck with their approvers (R-3.1): the group a waiting request went to has nobody at work.

The approving group is chosen when the request is made (`superior_of`, which passes over a group with nobody
active in it). A membership change or a leave afterwards may leave that group with nobody to approve: the
request is not moved over the superior's head (R-3.1 names the superior as the one who decides, and an absent
head is often back before the leave begins); the administrators and the requester's head are warned on the
team page, naming why and the group a new request would go to, so that someone is added or steps in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.leave import GENERAL_MANAGER, HEAD_SUFFIX, LEADER, LEAVES, absent_users
from engine.runtime.absence import Absence, group_members


@dataclass(frozen=True)
class StalledRequest:
    """A leave request waiting for `superior_group`, whose members are none (`away` empty) or all away."""

    leave_id: str
    requester: str
    department: str | None
    first_day: date
    last_day: date
    superior_group: str
    away: list[Absence]
    next_group: str | None  # where `superior_of` would send the request now; None when nobody is above


def stalled_requests(session: Session, now: datetime, departments: Iterable[str] | None = None
                     ) -> list[StalledRequest]:
    """Waiting leave requests (of requesters in `departments`, or all) whose approving group has nobody at work."""
    query = select(LEAVES).where(LEAVES.c.status == "requested").order_by(LEAVES.c.first_day, LEAVES.c.requester)
    if departments is not None:
        query = query.where(LEAVES.c.department.in_(sorted(set(departments))))
    found, at_work = [], _AtWork(session, now)
    for row in session.execute(query):
        if at_work(row.superior_group):
            continue
        members = group_members(session, row.superior_group)
        away = absent_users(session, now, members) if members else {}
        above = _above(row.superior_group)
        found.append(StalledRequest(row.id, row.requester, row.department, row.first_day, row.last_day,
                                    row.superior_group, [away[m] for m in members if m in away],
                                    next((g for g in above if at_work(g)), None)))
    return found


def _above(group: str) -> list[str]:
    """The approving groups above `group`, as `superior_of` climbs them (a head's, then a leader's)."""
    chain = [LEADER, GENERAL_MANAGER]
    return chain if group.endswith(HEAD_SUFFIX) else chain[chain.index(group) + 1:] if group in chain else []


class _AtWork:
    """Whether a group has an active member not away at `now`, asked once per group."""

    def __init__(self, session: Session, now: datetime):
        self.session, self.now = session, now
        self.known: dict[str, bool] = {}

    def __call__(self, group: str) -> bool:
        if group not in self.known:
            members = group_members(self.session, group)
            self.known[group] = bool(members) and len(absent_users(self.session, self.now, members)) < len(members)
        return self.known[group]
