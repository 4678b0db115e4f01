"""Gap-free number series (case numbers, archive numbers, case references) inside the caller's transaction."""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite

from engine.models import NumberSequence
from engine.runtime.prepared import Prepared

SEQUENCES = cast(Table, NumberSequence.__table__)


def _next_statement(dialect: Any) -> Prepared:
    # Built once per database: building an upsert costs more than running it.
    statement = dialect.insert(SEQUENCES).values(series=bindparam("b_series"), period=bindparam("b_period"), last=1)
    return Prepared(statement.on_conflict_do_update(
        index_elements=[SEQUENCES.c.series, SEQUENCES.c.period],
        set_={"last": SEQUENCES.c.last + 1},
    ).returning(SEQUENCES.c.last))


_NEXT = {"postgresql": _next_statement(postgresql), "sqlite": _next_statement(sqlite)}


def next_number(conn: Connection, series: str, period: str = "") -> int:
    """The next number of `series` in `period`, starting at 1.

    One upsert that row-locks the counter: concurrent callers queue behind each other's
    transactions, and a rolled-back step gives its number back — so no gaps, no duplicates."""
    return int(_NEXT[conn.dialect.name].scalar(conn, {"b_series": series, "b_period": period}))
