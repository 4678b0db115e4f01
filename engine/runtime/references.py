"""Readable case references: `C-20261130-0007`, the 7th case started that day (UTC), gap-free.

Every instance gets one when it starts, in the start's transaction, so a consultation that never
becomes a business case (and so never gets a case number, R-2.1.3) is still named by something
a person can read out on the phone."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, event, insert, select

from engine.models import CaseReference
from engine.runtime.prepared import Prepared
from engine.sequences import next_number

REFERENCES = cast(Table, CaseReference.__table__)
PREFIX = "C"
SERIES = "case_reference"
_INSERT_REFERENCE = Prepared(insert(REFERENCES))


def assign_reference(conn: Connection, instance_id: str, now: datetime) -> None:
    """Give the instance its reference when `conn`'s transaction commits, still inside it.

    The day's counter is row-locked from the number's upsert until COMMIT, so every other start
    waits that long; taken at the commit instead of when the step begins, the lock is held for two
    statements and the commit, not for the whole step (under 64 concurrent starts the step's
    waits for CPU made it the queue every start stood in). A rolled-back start never takes one:
    still gap-free. Several starts in one transaction are numbered in the order they began."""
    day = now.strftime("%Y%m%d")

    def take(connection: Connection) -> None:
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
