"""Which archives a user may apply to borrow (R-6.4): every registered archive they do not already hold
or wait for — the choices of the borrowing application's archive number."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from casework.archive_register import ARCHIVES, BORROWINGS
from engine.persistence import Database


def borrowable_archives(db: Database, user: str, now: datetime) -> list[tuple[str, str]]:
    """(number, archive class) of each archive `user` may apply for, by number; an application already
    waiting, or a loan not yet returned or expired, makes a second one pointless."""
    open_loans = (select(BORROWINGS.c.archive_id)
                  .where(BORROWINGS.c.borrower == user,
                         or_(BORROWINGS.c.status == "pending",
                             and_(BORROWINGS.c.status == "approved",
                                  or_(BORROWINGS.c.expires_at.is_(None), BORROWINGS.c.expires_at > now)))))
    query = (select(ARCHIVES.c.number, ARCHIVES.c.archive_class)
             .where(ARCHIVES.c.id.not_in(open_loans)).order_by(ARCHIVES.c.number))
    with db.unit_of_work(write=False) as session:
        return [(row.number, row.archive_class) for row in session.execute(query)]
