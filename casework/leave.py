"""Leave (R-3.1): requests and decisions written by the leave process's steps, and who is absent when.

Approved leave makes its requester absent from the first day 00:00 to the day after the last day 00:00,
in the company's time zone, by the engine clock; the task routing asks `LeaveAbsences` (the engine's absence
policy, wired in engine/bootstrap.py) who is absent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable, Mapping, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Table, insert, select, update
from sqlalchemy.orm import Session

from casework.leave_models import LeaveRecord
from engine.access import RESERVED_GROUPS
from engine.clock import isoformat
from engine.errors import Conflict, InvalidInput, N_, NotFound
from engine.models import Group, Membership, ProcessInstance, User
from engine.runtime.absence import Absence, all_absent_groups as groups_all_absent, group_members

LEAVES = cast(Table, LeaveRecord.__table__)
INSTANCES = cast(Table, ProcessInstance.__table__)
USERS, GROUPS, MEMBERS = (cast(Table, m.__table__) for m in (User, Group, Membership))
LEAVE_TYPES = ("annual", "sick", "personal", "marriage", "maternity", "bereavement")
HEAD_SUFFIX, LEADER, GENERAL_MANAGER, EVERYONE = "_head", "leader", "general_manager", "staff"
MAX_LEAVE_DAYS = 180
# A request's state as a refusal names it, each word translated where the refusal is shown ("over": approved leave
# that has ended).
STATES = {"requested": N_("requested"), "approved": N_("approved"), "rejected": N_("rejected"),
          "withdrawn": N_("withdrawn"), "cancelled": N_("cancelled"), "ended": N_("ended"), "over": N_("over")}


# -- who approves (the superior) ----------------------------------------------------------------

def superior_of(conn: Connection | Session, username: str, leaders: str = LEADER,
                chiefs: str = GENERAL_MANAGER) -> dict[str, Any]:
    """The requester's superior (R-3.1), never a group the requester is in, so nobody approves their own leave:
    the head of their department (`<group>_head`); the company's `leaders` for a head and for staff of a group
    that has no head; the `chiefs` (the general manager) for a leader. A group with nobody active in it is passed
    over for the next one up; a requester with nobody above them is told so, and no request is made."""
    groups = set(conn.execute(select(GROUPS.c.name).join(MEMBERS, MEMBERS.c.group_id == GROUPS.c.id)
                              .join(USERS, USERS.c.id == MEMBERS.c.user_id)
                              .where(USERS.c.username == username, USERS.c.active.is_(True))).scalars())
    if not groups:
        raise NotFound(N_("no active user '%(user)s'"), user=username)
    heads = sorted(g for g in groups if g.endswith(HEAD_SUFFIX))
    candidates = sorted(groups - RESERVED_GROUPS - {EVERYONE, leaders, chiefs} - set(heads))
    existing = set(conn.execute(select(GROUPS.c.name).where(
        GROUPS.c.name.in_([g + HEAD_SUFFIX for g in candidates]))).scalars())
    departments = [g for g in candidates if g + HEAD_SUFFIX in existing]
    department = (heads[0][: -len(HEAD_SUFFIX)] if heads
                  else departments[0] if departments else candidates[0] if candidates else None)
    # Upwards from the requester's own rank: a leader's approver is never a head, a head's never a colleague.
    chain = ([departments[0] + HEAD_SUFFIX] if departments and not heads else []) + [leaders, chiefs]
    rank = max((chain.index(g) for g in groups & set(chain)), default=-1)
    above = chain[rank + 1:]
    for group in above:
        if group_members(conn, group):
            return {"username": username, "department": department, "superior_group": group}
    if not above:
        raise InvalidInput(N_("nobody above %(user)s (%(group)s) approves leave in casedesk (R-3.1)"), user=username,
                           group=chain[rank])
    raise InvalidInput(N_("nobody above %(user)s can approve their leave (R-3.1): nobody active is in %(groups)s; "
                          "an administrator adds the general manager to group '%(chiefs)s'"),
                       user=username, groups=above, chiefs=chiefs)


def requester_of(conn: Connection, instance_id: str, leaders: str = LEADER,
                 chiefs: str = GENERAL_MANAGER) -> dict[str, Any]:
    """Whoever started the leave request asks for the leave; never a value in the instance's data."""
    return superior_of(conn, _starter(conn, instance_id), leaders, chiefs)


def _starter(conn: Connection, instance_id: str) -> str:
    starter = conn.execute(select(INSTANCES.c.started_by).where(INSTANCES.c.id == instance_id)).scalar()
    if starter is None:
        raise NotFound(N_("no instance %(instance)s"), instance=instance_id)
    return str(starter)


# -- the request and its decision (the steps' writes) ---------------------------------------------

def record_request(conn: Connection, now: datetime, zone: str, leave_id: str, requester: Mapping[str, Any],
                   leave_type: str, first_day: str, last_day: str, reason: str, cover: str = "") -> dict[str, Any]:
    """R-3.1: a leave request, made in advance (the first day is not before today); an amended request
    replaces the rejected one under the same id. `requester` is what `requester_of` found for the instance."""
    if requester.get("username") != _starter(conn, leave_id):
        raise InvalidInput(N_("the requester is whoever started the leave request"))
    if leave_type not in LEAVE_TYPES:
        raise InvalidInput(N_("leave_type must be one of %(types)s"), {"leave_type": ["unknown"]},
                           types=list(LEAVE_TYPES))
    first, last = _day(first_day, "first_day"), _day(last_day, "last_day")
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    if first < today:
        raise InvalidInput(N_("leave is requested in advance: the first day %(first)s is before today (%(today)s)"),
                           {"first_day": ["before today"]}, first=first, today=today)
    if last < first:
        raise InvalidInput(N_("the last day is before the first day"), {"last_day": ["before the first day"]})
    if (last - first).days + 1 > MAX_LEAVE_DAYS:
        raise InvalidInput(N_("one request covers at most %(days)s days"), {"last_day": ["too far"]},
                           days=MAX_LEAVE_DAYS)
    overlapping = conn.execute(select(LEAVES.c.first_day, LEAVES.c.last_day).where(
        LEAVES.c.requester == requester["username"], LEAVES.c.id != leave_id,
        LEAVES.c.status.in_(("requested", "approved")), LEAVES.c.first_day <= last, LEAVES.c.last_day >= first)).first()
    if overlapping is not None:
        raise InvalidInput(N_("you already asked for leave from %(first)s to %(last)s"),
                           {"first_day": ["overlaps another request"]}, first=overlapping.first_day,
                           last=overlapping.last_day)
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput(N_("say why you need the leave"), {"leave_reason": ["required"]})
    cover = (cover or "").strip()
    if cover:
        if cover == requester["username"]:
            raise InvalidInput(N_("someone else covers your work"), {"cover": ["that is you"]})
        known = conn.execute(select(USERS.c.id).where(USERS.c.username == cover, USERS.c.active.is_(True))).scalar()
        if known is None:
            raise InvalidInput(N_("there is no active user '%(cover)s' to cover your work"), {"cover": ["no such user"]},
                               cover=cover)
    starts_at = datetime.combine(first, time(0), tz)
    ends_at = datetime.combine(last + timedelta(days=1), time(0), tz)
    values = dict(requester=requester["username"], department=requester["department"],
                  superior_group=requester["superior_group"], leave_type=leave_type, first_day=first, last_day=last,
                  starts_at=starts_at, ends_at=ends_at, reason=reason.strip(), cover=cover, status="requested",
                  decision_note="", requested_at=now, decided_at=None)
    status = conn.execute(select(LEAVES.c.status).where(LEAVES.c.id == leave_id).with_for_update()).scalar()
    if status is None:
        conn.execute(insert(LEAVES).values(id=leave_id, **values))
    elif status == "rejected":
        conn.execute(update(LEAVES).where(LEAVES.c.id == leave_id).values(**values))
    else:
        raise Conflict(N_("leave request %(leave)s is %(status)s; only a rejected request is amended"),
                       leave=leave_id, status=[_state(status)])
    return {"leave_id": leave_id, "requester": requester["username"], "superior_group": requester["superior_group"],
            "leave_type": leave_type, "first_day": first.isoformat(), "last_day": last.isoformat(),
            "starts_at": isoformat(starts_at), "ends_at": isoformat(ends_at)}


def decide(conn: Connection, now: datetime, leave_id: str, approved: bool, note: str = "") -> dict[str, Any]:
    """The superior's decision; approved leave that has already begun says so (`begun`)."""
    row = _leave(conn, leave_id)
    if row.status != "requested":
        raise Conflict(N_("leave request %(leave)s was already decided (%(status)s)"), leave=leave_id,
                       status=[_state(row.status)])
    status = "approved" if approved else "rejected"
    conn.execute(update(LEAVES).where(LEAVES.c.id == leave_id).values(status=status, decided_at=now,
                                                                        decision_note=(note or "").strip()))
    return {"leave_id": leave_id, "status": status, "requester": row.requester, "starts_at": isoformat(row.starts_at),
            "ends_at": isoformat(row.ends_at), "begun": approved and row.starts_at <= now}


def withdraw(conn: Connection, now: datetime, leave_id: str) -> dict[str, Any]:
    row = _leave(conn, leave_id)
    if row.status != "rejected":
        raise Conflict(N_("leave request %(leave)s is %(status)s; only a rejected request is withdrawn"),
                       leave=leave_id, status=[_state(row.status)])
    conn.execute(update(LEAVES).where(LEAVES.c.id == leave_id).values(status="withdrawn", decided_at=now))
    return {"leave_id": leave_id, "status": "withdrawn"}


def change(conn: Connection, now: datetime, zone: str, leave_id: str, change_: str,
           new_last_day: str = "") -> dict[str, Any]:
    """R-3.1: the requester cancels or shortens approved leave that is not over. Cancelled before it begins,
    it never makes them absent (`cancelled`); cancelled while under way, or shortened to end by now, it ends
    at `now` (`ended`); shortened to a later day, it ends after that day. The answer has the decision's keys
    (the process's timers read them), `over` when no absence is left and `begun` when it has started."""
    row = _leave(conn, leave_id)
    if row.status != "approved" or row.ends_at <= now:
        state = "over" if row.status == "approved" else row.status
        raise Conflict(N_("leave request %(leave)s is %(status)s; only approved leave that is not over is cancelled "
                          "or shortened"), leave=leave_id, status=[_state(state)])
    tz = ZoneInfo(zone)
    begun = row.starts_at <= now
    if change_ == "cancel":
        values: dict[str, Any] = (dict(status="ended", ends_at=now, last_day=now.astimezone(tz).date()) if begun
                                  else dict(status="cancelled"))
    elif change_ == "shorten":
        last = _day(new_last_day, "new_last_day")
        if not row.first_day <= last < row.last_day:
            raise InvalidInput(N_("a shorter leave ends on a day from %(first)s to %(last)s"),
                               {"new_last_day": ["not shorter"]}, first=row.first_day,
                               last=row.last_day - timedelta(1))
        ends_at = datetime.combine(last + timedelta(days=1), time(0), tz)
        values = (dict(status="ended", ends_at=now, last_day=now.astimezone(tz).date()) if ends_at <= now
                  else dict(last_day=last, ends_at=ends_at))
    else:
        raise InvalidInput(N_("change is cancel or shorten"), {"change": ["unknown"]})
    conn.execute(update(LEAVES).where(LEAVES.c.id == leave_id).values(**values))
    status, ends_at = values.get("status", row.status), values.get("ends_at", row.ends_at)
    last_day = values.get("last_day", row.last_day)
    return {"leave_id": leave_id, "status": status, "requester": row.requester,
            "starts_at": isoformat(row.starts_at), "ends_at": isoformat(ends_at), "last_day": last_day.isoformat(),
            "previous_last_day": row.last_day.isoformat(), "begun": begun, "over": status != "approved"}


def mark_claims_returned(conn: Connection, now: datetime, leave_id: str) -> str:
    """The moment the leave began and its requester's claimed tasks went back; returns the requester."""
    row = _leave(conn, leave_id)
    if row.status != "approved":
        raise Conflict(N_("leave request %(leave)s is %(status)s; only approved leave returns claimed tasks"),
                       leave=leave_id, status=[_state(row.status)])
    conn.execute(update(LEAVES).where(LEAVES.c.id == leave_id).values(claims_returned_at=now))
    return str(row.requester)


def leave_facts(conn: Connection, leave_id: str) -> Any:
    return _leave(conn, leave_id, lock=False)


# -- absence (the routing's reads) ---------------------------------------------------------------

def absent_users(conn: Connection | Session, now: datetime, usernames: Iterable[str] | None = None
                 ) -> dict[str, Absence]:
    """Who is on approved leave at `now` (of `usernames`, or everyone), with the leave that covers it."""
    query = select(LEAVES).where(LEAVES.c.status == "approved", LEAVES.c.starts_at <= now, LEAVES.c.ends_at > now)
    if usernames is not None:
        query = query.where(LEAVES.c.requester.in_(sorted(set(usernames))))
    found: dict[str, Absence] = {}
    for row in conn.execute(query.order_by(LEAVES.c.ends_at)):
        found[row.requester] = Absence(row.requester, row.id, row.leave_type, row.first_day, row.last_day,
                                       row.ends_at, row.cover or "")
    return found


def all_absent_groups(conn: Connection | Session, groups: Iterable[str], now: datetime) -> dict[str, list[Absence]]:
    """Of `groups`, those with members and every one of them on leave at `now`: group -> their absences."""
    return groups_all_absent(LeaveAbsences(), conn, groups, now)


class LeaveAbsences:
    """The engine's absence policy (engine/runtime/absence.py) read from the leave register: approved leave."""

    def absent(self, conn: Connection | Session, now: datetime,
               usernames: Iterable[str] | None = None) -> dict[str, Absence]:
        return absent_users(conn, now, usernames)

    def absent_condition(self, username: ColumnElement[str], now: ColumnElement[datetime]) -> ColumnElement[bool]:
        return (select(LEAVES.c.id).where(LEAVES.c.requester == username, LEAVES.c.status == "approved",
                                          LEAVES.c.starts_at <= now, LEAVES.c.ends_at > now).exists())


def leave_of(conn: Connection | Session, username: str, limit: int = 50) -> list[Any]:
    """A person's leave requests, newest first."""
    return list(conn.execute(select(LEAVES).where(LEAVES.c.requester == username)
                             .order_by(LEAVES.c.requested_at.desc(), LEAVES.c.id).limit(limit)))


def leave_in_groups(conn: Connection | Session, groups: Iterable[str], now: datetime) -> list[Any]:
    """Approved leave of the members of `groups` that has not ended yet (under way or to come), soonest first."""
    members = {m for g in set(groups) for m in group_members(conn, g)}
    if not members:
        return []
    return list(conn.execute(select(LEAVES).where(LEAVES.c.requester.in_(sorted(members)),
                                                  LEAVES.c.status == "approved", LEAVES.c.ends_at > now)
                             .order_by(LEAVES.c.starts_at, LEAVES.c.requester)))


def _state(status: str) -> str:
    """The state's N_-marked word (a state this module does not know is named as stored)."""
    return STATES.get(status, status)


def _leave(conn: Connection, leave_id: str, lock: bool = True) -> Any:
    query = select(LEAVES).where(LEAVES.c.id == leave_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(N_("no leave request %(leave)s"), leave=leave_id)
    return row


def _day(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(N_("%(field)s must be a date (YYYY-MM-DD)"), {field: ["not a date"]}, field=field) from None


# -- the leave page ------------------------------------------------------------------------------

@dataclass(frozen=True)
class LeaveEntry:
    leave_id: str
    requester: str
    leave_type: str
    first_day: date
    last_day: date
    status: str
    decision_note: str
    away_now: bool


@dataclass(frozen=True)
class LeavePage:
    """What the leave page shows one person: their own requests, and for a head who is away in their groups."""

    mine: list[LeaveEntry]
    groups_away: dict[str, list[LeaveEntry]]  # headed group -> its members' approved leave not yet over
    all_absent: list[str]  # headed groups whose members are all away now


def read_leave_page(session: Session, username: str, headed: Iterable[str], now: datetime) -> LeavePage:
    headed = sorted(set(headed))
    away = {g: [_entry(row, now) for row in leave_in_groups(session, [g], now)] for g in headed}
    return LeavePage([_entry(row, now) for row in leave_of(session, username)], {g: e for g, e in away.items() if e},
                     sorted(all_absent_groups(session, headed, now)))


def _entry(row: Any, now: datetime) -> LeaveEntry:
    return LeaveEntry(row.id, row.requester, row.leave_type, row.first_day, row.last_day, row.status,
                      row.decision_note, row.status == "approved" and row.starts_at <= now < row.ends_at)
