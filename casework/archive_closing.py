"""Archives filed whole at once (R-6.1): cases that end before acceptance, periodic reviews, cancelled cases.

A case that ends before acceptance (consultation only, application withdrawn) has no case number and no
filed application materials; a periodic review (R-3.2.3) is one document set. Their records are filed at
once and the archive is complete, in its class (R-6.2), read through the same guard (R-6.4). A case an
administrator cancels is archived too, marked cancelled with who cancelled it and why."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Mapping, cast

from sqlalchemy import Connection, Table, insert, select, update

from casework.archive_register import ARCHIVES, CLASSES, ArchiveClass, add_items, archive_class, archive_number
from casework.numbering import next_number
from engine.errors import InvalidInput, N_
from engine.models import InstanceSummary

SUMMARIES = cast(Table, InstanceSummary.__table__)

TITLE_LENGTH = 400
CANCELLED = "cancelled"


def file_unaccepted_case(conn: Connection, now: datetime, business_type: str, title: str,
                         records: Mapping[str, Any], instance_id: str | None) -> tuple[str, int]:
    """Open, fill and complete the archive of a case that never got a case number; returns (number, items)."""
    return file_complete_archive(conn, now, archive_class(business_type), title, records, instance_id)


def file_complete_archive(conn: Connection, now: datetime, klass: ArchiveClass, title: str,
                          records: Mapping[str, Any], instance_id: str | None, case_number: str | None = None,
                          status: str = "complete") -> tuple[str, int]:
    """A new archive in `klass`, numbered in the class's own series, its records filed; (number, items)."""
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput(N_("title must be a non-empty text"))
    if not isinstance(records, Mapping) or not records:
        raise InvalidInput(N_("records must be a non-empty object: one entry per record of the case"))
    number = _next_archive_number(conn, now, klass)
    archive_id = conn.execute(insert(ARCHIVES).values(
        number=number, archive_class=klass.name, case_number=case_number, title=title.strip()[:TITLE_LENGTH],
        status=status, opened_at=now, opened_by_instance=instance_id, completed_at=now,
    ).returning(ARCHIVES.c.id)).scalar_one()
    add_items(conn, archive_id, now, instance_id,
              [("case_record", str(name), value) for name, value in sorted(records.items())])
    return number, len(records)


def file_cancelled_case(conn: Connection, now: datetime, instance_id: str, data: Mapping[str, Any],
                        cancelled_by: str, reason: str) -> str:
    """R-6.1 for a case an administrator cancelled: what it had collected is filed, marked cancelled.

    An accepted case files its records into the archive opened at acceptance (R-2.1.3); a case cancelled
    before acceptance gets an archive of its own in the class of its business type (general when none
    was chosen yet, or the type has no class). Either way the archive's status is `cancelled` and its last item says who and why."""
    records: dict[str, Any] = {stage: found for stage, names in CASE_RECORDS.items()
                               if (found := {n: data[n] for n in names if n in data})}
    records["cancellation"] = {"cancelled_by": cancelled_by, "reason": reason,
                               "cancelled_at": now.isoformat()}
    opened = conn.execute(select(ARCHIVES.c.id, ARCHIVES.c.number).where(
        ARCHIVES.c.opened_by_instance == instance_id, ARCHIVES.c.status == "open").with_for_update()).first()
    if opened is not None:
        add_items(conn, opened.id, now, instance_id,
                  [("case_record", name, value) for name, value in sorted(records.items())])
        conn.execute(update(ARCHIVES).where(ARCHIVES.c.id == opened.id).values(status=CANCELLED, completed_at=now))
        return str(opened.number)
    # A cancel must never be refused for want of a class: a type without an archive class of its own
    # (or none chosen yet) is filed under general.
    business_type = data.get("business_type")
    klass = CLASSES.get(business_type if isinstance(business_type, str) else "") or CLASSES["general"]
    title = _title(data)
    number, _items = file_complete_archive(conn, now, klass, title, records, instance_id,
                                           case_number=_text(data.get("case_number")), status=CANCELLED)
    return number


def archive_cancelled_case(conn: Connection, now: datetime, instance_id: str, cancelled_by: str,
                           reason: str) -> dict[str, Any]:
    """The cancel hook of `business_case`: the case's current data (the step-kept projection) is archived."""
    stored = conn.execute(select(SUMMARIES.c.data).where(SUMMARIES.c.instance_id == instance_id)).scalar()
    data = json.loads(stored) if stored else {}
    return {"archived_as": file_cancelled_case(conn, now, instance_id, data, cancelled_by, reason)}


# What a case has collected by the time it is cancelled, by stage (the names its forms and services set).
CASE_RECORDS: dict[str, tuple[str, ...]] = {
    "consultation": ("customer_name", "business_type", "question", "answer", "answered_now"),
    "application": ("case_number", "title", "description", "materials", "preferred_channel"),
    "prereview": ("missing_items", "review_remarks"),
    "processing": ("department", "deadline", "quality_requirement", "outcome", "result"),
    "feedback": ("satisfaction", "opinion"),
}


def _title(data: Mapping[str, Any]) -> str:
    for candidate in (data.get("title"), data.get("question"), data.get("customer_name")):
        text = _text(candidate)
        if text:
            return text
    return "Cancelled case"


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _next_archive_number(conn: Connection, now: datetime, klass: ArchiveClass) -> str:
    # The counter's row lock serializes concurrent filings in the class; a rolled-back step returns its number.
    return archive_number(klass, now.year, next_number(conn, f"archive-{klass.prefix}", f"{now.year:04d}"))
