"""What the archive desk looks up (R-6): one archive's register record, loans by state, the access log filtered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Select, Table, and_, select

from casework.archive_models import ArchiveAccess
from casework.archive_register import ARCHIVES, BORROWINGS, ITEMS
from engine.errors import InvalidInput, N_

ACCESSES = cast(Table, ArchiveAccess.__table__)
# The loans an archivist follows: lent and within the due date, lent past it, given back; and the
# applications still waiting for approval.
LOAN_STATES = ("open", "overdue", "returned", "pending")
LISTING_LIMIT = 500


@dataclass(frozen=True)
class FiledItemName:
    """A filed item as the register shows it: what and when, never its content."""

    seq: int
    kind: str
    name: str
    filed_at: datetime


@dataclass(frozen=True)
class Loan:
    id: str
    archive_number: str
    archive_title: str
    borrower: str
    purpose: str
    status: str
    days: int
    requested_at: datetime
    granted_at: datetime | None
    expires_at: datetime | None
    returned_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class AccessFilter:
    username: str | None = None
    archive_number: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def like_pattern(text: str) -> str:
    """`text` anywhere, with LIKE's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def register_search(query: Select[Any], text: str) -> Select[Any]:
    """Archives whose number, title or case number contains `text` (any case)."""
    pattern = like_pattern(text.strip())
    return query.where(ARCHIVES.c.number.ilike(pattern, escape="\\") | ARCHIVES.c.title.ilike(pattern, escape="\\")
                       | ARCHIVES.c.case_number.ilike(pattern, escape="\\"))


def filed_item_names(conn: Connection, archive_id: int) -> list[FiledItemName]:
    rows = conn.execute(select(ITEMS.c.seq, ITEMS.c.kind, ITEMS.c.name, ITEMS.c.filed_at)
                        .where(ITEMS.c.archive_id == archive_id).order_by(ITEMS.c.seq))
    return [FiledItemName(r.seq, r.kind, r.name, r.filed_at) for r in rows]


def loans(conn: Connection, now: datetime, state: str | None = None, archive_id: int | None = None,
          borrower: str | None = None) -> list[Loan]:
    """Borrowings by state (`LOAN_STATES`; None: all), of one archive or one borrower, newest first."""
    query = (select(BORROWINGS, ARCHIVES.c.number, ARCHIVES.c.title)
             .join(ARCHIVES, ARCHIVES.c.id == BORROWINGS.c.archive_id))
    if state == "open":
        query = query.where(BORROWINGS.c.status == "approved", BORROWINGS.c.expires_at > now)
    elif state == "overdue":
        query = query.where(BORROWINGS.c.status == "approved", BORROWINGS.c.expires_at <= now)
    elif state == "returned":
        query = query.where(BORROWINGS.c.status == "returned")
    elif state == "pending":
        query = query.where(BORROWINGS.c.status == "pending")
    elif state is not None:
        raise InvalidInput(N_("unknown loan state '%(state)s'; choose one of %(states)s"),
                           {"state": ["unknown"]}, state=state, states=list(LOAN_STATES))
    if archive_id is not None:
        query = query.where(BORROWINGS.c.archive_id == archive_id)
    if borrower is not None:
        query = query.where(BORROWINGS.c.borrower == borrower)
    # Overdue first by how long overdue, open by the nearest due date; the rest newest first.
    order = ((BORROWINGS.c.expires_at,) if state in ("open", "overdue")
             else (BORROWINGS.c.requested_at.desc(), BORROWINGS.c.id))
    rows = conn.execute(query.order_by(*order).limit(LISTING_LIMIT))
    return [Loan(r.id, r.number, r.title, r.borrower, r.purpose, r.status, r.days, r.requested_at, r.granted_at,
                 r.expires_at, r.returned_at,
                 r.status == "approved" and r.expires_at is not None and r.expires_at <= now)
            for r in rows]


def access_query(where: AccessFilter) -> Select[Any]:
    """The access log, newest first, narrowed by user, archive number and period [since, until)."""
    if where.since is not None and where.until is not None and where.until <= where.since:
        raise InvalidInput(N_("the period must end after it starts"), {"until": ["before since"]})
    conditions = []
    if where.username:
        conditions.append(ACCESSES.c.username == where.username)
    if where.archive_number:
        conditions.append(ACCESSES.c.archive_number == where.archive_number)
    if where.since is not None:
        conditions.append(ACCESSES.c.at >= where.since)
    if where.until is not None:
        conditions.append(ACCESSES.c.at < where.until)
    return (select(ACCESSES).where(and_(True, *conditions))
            .order_by(ACCESSES.c.at.desc(), ACCESSES.c.id.desc()).limit(LISTING_LIMIT))
