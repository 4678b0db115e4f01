"""Gap-free number series (case numbers, archive numbers, case references) inside the caller's transaction."""
from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from engine.models import NumberSequence

SEQUENCES = cast(Table, NumberSequence.__table__)


def next_number(conn: Connection, series: str, period: str = "") -> int:
    """The next number of `series` in `period`, starting at 1.

    One upsert that row-locks the counter: concurrent callers queue behind each other's
    transactions, and a rolled-back step gives its number back — so no gaps, no duplicates."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(SEQUENCES).values(series=series, period=period, last=1)
    statement = statement.on_conflict_do_update(
        index_elements=[SEQUENCES.c.series, SEQUENCES.c.period],
        set_={"last": SEQUENCES.c.last + 1},
    ).returning(SEQUENCES.c.last)
    return int(conn.execute(statement).scalar_one())
