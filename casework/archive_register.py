"""Archive register writes inside the caller's transaction (the handlers' step): filing and borrowings."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping, cast

from sqlalchemy import Connection, Table, func, insert, select, update

from casework.archive_models import Archive, ArchiveBorrowing, ArchiveItem
from engine.clock import isoformat
from engine.errors import Conflict, InvalidInput, N_, NotFound
from engine.models import ProcessInstance
from casework.numbering import next_number

ARCHIVES, ITEMS, BORROWINGS = (cast(Table, m.__table__) for m in (Archive, ArchiveItem, ArchiveBorrowing))
INSTANCES = cast(Table, ProcessInstance.__table__)


@dataclass(frozen=True)
class ArchiveClass:
    name: str
    prefix: str
    title_en: str
    title_zh: str
    # Restricted classes need the owning department's head to approve a borrowing too.
    restricted: bool

    @property
    def head_group(self) -> str:
        return f"{self.name}_head"


# The classes of, one per business type; finance and procurement records are confidential.
CLASSES: dict[str, ArchiveClass] = {c.name: c for c in (
    ArchiveClass("sales", "XS", "Sales archives", "銷售檔案", restricted=False),
    ArchiveClass("procurement", "CG", "Procurement archives", "採購檔案", restricted=True),
    ArchiveClass("finance", "CW", "Finance archives", "財務檔案", restricted=True),
    ArchiveClass("general", "ZH", "General archives", "綜合檔案", restricted=False),
)}
MAX_BORROWING_DAYS = 30
# A borrowing's state as a refusal names it, each word translated where the refusal is shown.
BORROWING_STATES = {"pending": N_("pending"), "approved": N_("approved"), "rejected": N_("rejected"),
                    "returned": N_("returned")}


def archive_class(name: str) -> ArchiveClass:
    found = CLASSES.get(name)
    if found is None:
        raise InvalidInput(N_("unknown business type '%(name)s'; archive classes are %(classes)s"), name=name,
                           classes=list(CLASSES))
    return found


def archive_number(klass: ArchiveClass, year: int, sequence: int) -> str:
    """DA-XS-2026-000001: 檔案 (DA), class prefix, year, the class's yearly sequence (R-6.2)."""
    return f"DA-{klass.prefix}-{year:04d}-{sequence:06d}"


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def open_archive(conn: Connection, now: datetime, case_number: str, business_type: str, title: str,
                 materials: list[str], instance_id: str | None) -> str:
    """R-2.1.3 / R-6.1: open the case's archive in its class and file the application materials."""
    klass = archive_class(business_type)
    _require_text(case_number, "case_number")
    _require_text(title, "title")
    if not isinstance(materials, list) or not all(isinstance(m, str) and m.strip() for m in materials):
        raise InvalidInput(N_("materials must be a list of non-empty names of the filed application materials"))
    existing = conn.execute(select(ARCHIVES.c.number).where(ARCHIVES.c.case_number == case_number)).scalar()
    if existing is not None:
        raise Conflict(N_("case %(case)s already has archive %(archive)s"), case=case_number, archive=existing)
    # The counter's row lock serializes concurrent filings in the class; a rolled-back step returns its number.
    number = archive_number(klass, now.year, next_number(conn, f"archive-{klass.prefix}", f"{now.year:04d}"))
    archive_id = conn.execute(insert(ARCHIVES).values(
        number=number, archive_class=klass.name, case_number=case_number, title=title.strip(), status="open",
        opened_at=now, opened_by_instance=instance_id, completed_at=None,
    ).returning(ARCHIVES.c.id)).scalar_one()
    add_items(conn, archive_id, now, instance_id,
               [("application_material", m.strip(), {"material": m.strip()}) for m in materials])
    return number


def file_case_records(conn: Connection, now: datetime, number: str, records: Mapping[str, Any],
                      instance_id: str | None) -> int:
    """R-6.1: at the end of the case, file each processing record / feedback document and close the archive.

    Each top-level entry of `records` becomes one item named by its key; returns how many were filed."""
    if not isinstance(records, Mapping) or not records:
        raise InvalidInput(N_("records must be a non-empty object: one entry per processing record or feedback document"))
    row = conn.execute(select(ARCHIVES.c.id, ARCHIVES.c.status).where(ARCHIVES.c.number == number)
                       .with_for_update()).first()
    if row is None:
        raise NotFound(N_("no archive %(archive)s"), archive=number)
    if row.status != "open":
        raise Conflict(N_("archive %(archive)s is already complete; its records were filed"), archive=number)
    add_items(conn, row.id, now, instance_id,
               [("case_record", str(name), value) for name, value in sorted(records.items())])
    conn.execute(update(ARCHIVES).where(ARCHIVES.c.id == row.id).values(status="complete", completed_at=now))
    return len(records)


def add_items(conn: Connection, archive_id: int, now: datetime, instance_id: str | None,
              items: list[tuple[str, str, Any]]) -> None:
    """File items after the archive's last one: numbered without gaps, so an inventory sees any removal."""
    last = conn.execute(select(func.coalesce(func.max(ITEMS.c.seq), 0)).where(ITEMS.c.archive_id == archive_id)
                        ).scalar_one()
    if items:
        conn.execute(insert(ITEMS), [
            {"archive_id": archive_id, "seq": last + i, "kind": kind, "name": name[:400],
             "content": canonical(content), "filed_at": now, "filed_by_instance": instance_id}
            for i, (kind, name, content) in enumerate(items, start=1)
        ])


# -- borrowings (R-6.4) --------------------------------------------------------------------------

def request_borrowing(conn: Connection, now: datetime, instance_id: str, number: str, purpose: str,
                      days: int) -> dict[str, Any]:
    """Record a pending application; the borrower is whoever started the borrowing instance."""
    _require_text(purpose, "purpose")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_BORROWING_DAYS:
        raise InvalidInput(N_("days must be a whole number from 1 to %(most)s"), most=MAX_BORROWING_DAYS)
    archive = conn.execute(select(ARCHIVES.c.id, ARCHIVES.c.archive_class, ARCHIVES.c.title)
                           .where(ARCHIVES.c.number == number)).first()
    if archive is None:
        raise NotFound(N_("no archive %(archive)s"), archive=number)
    borrower = conn.execute(select(INSTANCES.c.started_by).where(INSTANCES.c.id == instance_id)).scalar()
    if borrower is None:
        raise NotFound(N_("no instance %(instance)s: a borrowing is recorded after the application task"),
                       instance=instance_id)
    conn.execute(insert(BORROWINGS).values(
        id=instance_id, archive_id=archive.id, borrower=borrower, purpose=purpose.strip(), days=days,
        status="pending", requested_at=now, decision_note="",
    ))
    klass = CLASSES[archive.archive_class]
    return {"borrowing_id": instance_id, "borrower": borrower, "archive_number": number,
            "archive_class": klass.name, "archive_title": archive.title, "restricted": klass.restricted,
            "head_group": klass.head_group}


def grant_borrowing(conn: Connection, now: datetime, borrowing_id: str, note: str = "") -> dict[str, Any]:
    """Approved: access until now + the requested days; the reminder is due one day before (or halfway)."""
    row = _pending(conn, borrowing_id)
    expires = now + timedelta(days=row.days)
    remind = expires - min(timedelta(days=1), timedelta(days=row.days) / 2)
    _set(conn, borrowing_id, status="approved", decided_at=now, decision_note=note or "", granted_at=now,
         expires_at=expires)
    return {"borrowing_id": borrowing_id, "borrower": row.borrower, "due_at": isoformat(expires),
            "remind_at": isoformat(remind)}


def reject_borrowing(conn: Connection, now: datetime, borrowing_id: str, note: str = "") -> dict[str, Any]:
    _pending(conn, borrowing_id)
    _set(conn, borrowing_id, status="rejected", decided_at=now, decision_note=note or "")
    return {"borrowing_id": borrowing_id, "status": "rejected"}


def remind_borrower(conn: Connection, now: datetime, borrowing_id: str) -> dict[str, Any]:
    row = _borrowing(conn, borrowing_id)
    _set(conn, borrowing_id, reminded_at=now)
    return {"borrowing_id": borrowing_id, "borrower": row.borrower, "due_at": isoformat(row.expires_at)}


def mark_overdue(conn: Connection, now: datetime, borrowing_id: str) -> dict[str, Any]:
    row = _borrowing(conn, borrowing_id)
    _set(conn, borrowing_id, overdue_at=now)
    return {"borrowing_id": borrowing_id, "borrower": row.borrower, "due_at": isoformat(row.expires_at)}


def return_borrowing(conn: Connection, now: datetime, borrowing_id: str) -> dict[str, Any]:
    """Returned: the grant is revoked at once, whether or not it had expired."""
    row = _borrowing(conn, borrowing_id)
    if row.status != "approved":
        raise Conflict(N_("borrowing %(borrowing)s is %(status)s; only an approved borrowing is returned"),
                       borrowing=borrowing_id, status=[BORROWING_STATES.get(row.status, row.status)])
    _set(conn, borrowing_id, status="returned", returned_at=now)
    late = row.expires_at is not None and now > row.expires_at
    return {"borrowing_id": borrowing_id, "returned_at": isoformat(now), "late": late}


def _borrowing(conn: Connection, borrowing_id: str) -> Any:
    row = conn.execute(select(BORROWINGS).where(BORROWINGS.c.id == borrowing_id).with_for_update()).first()
    if row is None:
        raise NotFound(N_("no borrowing %(borrowing)s"), borrowing=borrowing_id)
    return row


def _pending(conn: Connection, borrowing_id: str) -> Any:
    row = _borrowing(conn, borrowing_id)
    if row.status != "pending":
        raise Conflict(N_("borrowing %(borrowing)s was already decided (%(status)s)"), borrowing=borrowing_id,
                       status=[BORROWING_STATES.get(row.status, row.status)])
    return row


def _set(conn: Connection, borrowing_id: str, **values: Any) -> None:
    conn.execute(update(BORROWINGS).where(BORROWINGS.c.id == borrowing_id).values(**values))


def _require_text(value: Any, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(N_("%(field)s must be non-empty text"), {field: ["required"]}, field=field)
