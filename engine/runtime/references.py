"""Readable case references: `C-20261130-0007`, the 7th case started that day (UTC), gap-free.

Every instance gets one when it starts, in the start's transaction, so a consultation that never
becomes a business case (and so never gets a case number, R-2.1.3) is still named by something
a person can read out on the phone."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, String, Table, Text, bindparam, cast as sql_cast, event, func, insert, select
from sqlalchemy.dialects import postgresql

from engine.models import CaseReference
from engine.runtime.prepared import Prepared
from engine.sequences import SEQUENCES, next_number

REFERENCES = cast(Table, CaseReference.__table__)
PREFIX = "C"
SERIES = "case_reference"
_INSERT_REFERENCE = Prepared(insert(REFERENCES))


def _take_in_one_statement() -> Prepared:
    """PostgreSQL: `next_number`'s upsert and the reference's insert in one statement (a data-modifying WITH),
    so the counter's row lock is held for that statement and the COMMIT, with no round trip between."""
    taken = (postgresql.insert(SEQUENCES).values(series=bindparam("b_series"), period=bindparam("b_period"), last=1)
             .on_conflict_do_update(index_elements=[SEQUENCES.c.series, SEQUENCES.c.period],
                                    set_={"last": SEQUENCES.c.last + 1})
             .returning(SEQUENCES.c.last).cte("taken"))
    number = sql_cast(taken.c.last, Text)
    reference = bindparam("b_prefix", type_=String) + func.lpad(number, func.greatest(4, func.length(number)), "0")
    return Prepared(insert(REFERENCES).from_select(
        ["instance_id", "reference"], select(bindparam("b_instance", type_=String), reference).select_from(taken)))


_TAKE = _take_in_one_statement()


def assign_reference(conn: Connection, instance_id: str, now: datetime) -> None:
    """Give the instance its reference when `conn`'s transaction commits, still inside it.

    The day's counter is row-locked from the number's upsert until COMMIT, so every other start
    waits that long; taken at the commit instead of when the step begins, the lock is held for two
    statements and the commit, not for the whole step (under 64 concurrent starts the step's
    waits for CPU made it the queue every start stood in). A rolled-back start never takes one:
    still gap-free. Several starts in one transaction are numbered in the order they began."""
    day = now.strftime("%Y%m%d")

    def take(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            _TAKE.run(connection, {"b_series": SERIES, "b_period": day, "b_prefix": f"{PREFIX}-{day}-",
                                   "b_instance": instance_id})
            return
        reference = f"{PREFIX}-{day}-{next_number(connection, SERIES, day):04d}"
        _INSERT_REFERENCE.run(connection, {"instance_id": instance_id, "reference": reference})

    event.listen(conn, "commit", take)


def references_of(conn: Connection, instance_ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(instance_ids))
    if not wanted:
        return {}
    rows = conn.execute(select(REFERENCES.c.instance_id, REFERENCES.c.reference)
                        .where(REFERENCES.c.instance_id.in_(wanted)))
    return {instance_id: reference for instance_id, reference in rows}
