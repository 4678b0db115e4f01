"""Archives of cases that end before acceptance (R-6.1): consultation only, or an application withdrawn.

Such a case has no case number and no filed application materials; its records are filed at once and its
archive is complete, in the class of its business type (R-6.2), read through the same guard (R-6.4)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import Connection, insert

from casework.archive_register import ARCHIVES, add_items, archive_class, archive_number
from casework.numbering import next_number
from engine.errors import InvalidInput

TITLE_LENGTH = 400


def file_unaccepted_case(conn: Connection, now: datetime, business_type: str, title: str,
                         records: Mapping[str, Any], instance_id: str | None) -> tuple[str, int]:
    """Open, fill and complete the archive of a case that never got a case number; returns (number, items)."""
    klass = archive_class(business_type)
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput("title must be a non-empty text")
    if not isinstance(records, Mapping) or not records:
        raise InvalidInput("records must be a non-empty object: one entry per record of the case")
    number = archive_number(klass, now.year, next_number(conn, f"archive-{klass.prefix}", f"{now.year:04d}"))
    archive_id = conn.execute(insert(ARCHIVES).values(
        number=number, archive_class=klass.name, case_number=None, title=title.strip()[:TITLE_LENGTH],
        status="complete", opened_at=now, opened_by_instance=instance_id, completed_at=now,
    ).returning(ARCHIVES.c.id)).scalar_one()
    add_items(conn, archive_id, now, instance_id,
               [("case_record", str(name), value) for name, value in sorted(records.items())])
    return number, len(records)
