"""The archive guard (R-6.4): content only through an approved, unexpired borrowing; every attempt logged."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, select

from casework.archive_documents import FiledDocument, archive_documents
from casework.archive_inventory import InventoryReport, take_inventory
from casework.archive_listings import AccessFilter, FiledItemName, Loan, access_query, filed_item_names, loans
from casework.archive_listings import register_search
from casework.archive_models import ArchiveAccess
from casework.archive_register import ARCHIVES, BORROWINGS, CLASSES, INSTANCES, ITEMS
from engine.clock import Clock
from engine.documents.service import StoredDocument, content_of
from engine.errors import N_, Forbidden, NotFound
from engine.persistence import Database
from engine.users import groups_of

ACCESSES = cast(Table, ArchiveAccess.__table__)
# Who may see the register (numbers, classes, titles, status) and the access log — never the content.
REGISTER_READERS = frozenset({"archivist", "auditor"})


@dataclass(frozen=True)
class RegisterEntry:
    number: str
    archive_class: str
    title: str
    status: str
    case_number: str | None
    items: int
    opened_at: datetime


@dataclass(frozen=True)
class ArchiveRecord:
    """One archive as the register shows it: its entry, what was filed (names only) and its loans."""

    entry: RegisterEntry
    items: list[FiledItemName]
    loans: list[Loan]
    documents: list[FiledDocument]


@dataclass(frozen=True)
class FiledItem:
    seq: int
    kind: str
    name: str
    content: Any
    filed_at: datetime


@dataclass(frozen=True)
class ArchiveContent:
    number: str
    archive_class: str
    title: str
    status: str
    borrowing_id: str
    items: list[FiledItem]
    documents: list[FiledDocument]


@dataclass(frozen=True)
class AccessRecord:
    at: datetime
    username: str
    archive_number: str
    borrowing_id: str | None
    outcome: str
    reason: str


@dataclass(frozen=True)
class BorrowingView:
    id: str
    archive_number: str
    borrower: str
    status: str
    days: int
    expires_at: datetime | None
    reminded_at: datetime | None
    overdue_at: datetime | None
    returned_at: datetime | None


class ArchiveService:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    def read(self, number: str, user: str) -> ArchiveContent:
        """The archive's filed items, for a reader holding an approved borrowing that has not expired.

        Nobody is exempt — archivists and auditors borrow like everyone else (R-6.4: "nobody may
        read … without approval"); they may list the register without content instead. The attempt
        is recorded and committed before a refusal is raised, so refusals are logged too."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            decision = self._decide(conn, number, user, now)
            conn.execute(insert(ACCESSES).values(
                at=now, username=user[:80], archive_number=number[:40], borrowing_id=decision.borrowing_id,
                outcome="granted" if decision.granted else "refused", reason=decision.reason[:400]))
            content = self._content(conn, number, decision.borrowing_id) if decision.granted else None
        if content is None:
            raise (NotFound if decision.missing else Forbidden)(decision.reason)
        return content

    def read_document(self, number: str, sha256: str, user: str) -> StoredDocument:
        """One attached file of the archive's case, under the same guard as `read` and recorded the same way,
        the record naming the file (R-6.4). A file the archive does not hold is refused like a missing archive."""
        now = self.clock.now()
        with self.db.transaction() as conn:
            decision = self._decide(conn, number, user, now)
            filed = next((d for d in archive_documents(conn, number) if d.sha256 == sha256), None) \
                if decision.granted else None
            if decision.granted and filed is None:
                decision = _Decision(False, decision.borrowing_id, f"archive {number} holds no document "
                                                                   f"{sha256[:12]}", missing=True)
            what = f"document {filed.name!r} ({sha256[:12]}): " if filed is not None else f"document {sha256[:12]}: "
            conn.execute(insert(ACCESSES).values(
                at=now, username=user[:80], archive_number=number[:40], borrowing_id=decision.borrowing_id,
                outcome="granted" if decision.granted else "refused", reason=(what + decision.reason)[:400]))
            document = content_of(conn, sha256) if decision.granted else None
        if document is None:
            raise (NotFound if decision.missing else Forbidden)(decision.reason)
        return document

    def list_register(self, actor: str, archive_class: str | None = None,
                      search: str | None = None) -> list[RegisterEntry]:
        """The register, by number; of one class, and/or whose number, title or case number contains `search`."""
        with self.db.transaction() as conn:
            self._require_register_reader(conn, actor, N_("list the archive register"))
            counts = (select(ITEMS.c.archive_id, func.count().label("item_count")).group_by(ITEMS.c.archive_id)
                      .subquery())
            query = (select(ARCHIVES, func.coalesce(counts.c.item_count, 0).label("item_count"))
                     .outerjoin(counts, counts.c.archive_id == ARCHIVES.c.id).order_by(ARCHIVES.c.number))
            if archive_class is not None:
                query = query.where(ARCHIVES.c.archive_class == archive_class)
            if search and search.strip():
                query = register_search(query, search)
            return [RegisterEntry(r.number, r.archive_class, r.title, r.status, r.case_number, r.item_count, r.opened_at)
                    for r in conn.execute(query)]

    def accesses(self, number: str, actor: str) -> list[AccessRecord]:
        """The access log of one archive number, oldest first (archivist and auditor only)."""
        with self.db.transaction() as conn:
            self._require_register_reader(conn, actor, N_("see the archive access log"))
            rows = conn.execute(select(ACCESSES).where(ACCESSES.c.archive_number == number)
                                .order_by(ACCESSES.c.at, ACCESSES.c.id))
            return [AccessRecord(r.at, r.username, r.archive_number, r.borrowing_id, r.outcome, r.reason)
                    for r in rows]

    def register_record(self, number: str, actor: str) -> ArchiveRecord:
        """One archive's register entry, its filed items by name (no content) and every loan of it."""
        with self.db.transaction() as conn:
            self._require_register_reader(conn, actor, N_("see the archive register"))
            archive = conn.execute(select(ARCHIVES).where(ARCHIVES.c.number == number)).first()
            if archive is None:
                raise NotFound(N_("no archive %(archive)s"), archive=number)
            items = filed_item_names(conn, archive.id)
            entry = RegisterEntry(archive.number, archive.archive_class, archive.title, archive.status,
                                  archive.case_number, len(items), archive.opened_at)
            return ArchiveRecord(entry, items, loans(conn, self.clock.now(), archive_id=archive.id),
                                 archive_documents(conn, number))

    def loans(self, actor: str, state: str | None = None) -> list[Loan]:
        """Borrowings open, overdue, returned or pending (R-6.4), for the archivist and the auditor."""
        with self.db.transaction() as conn:
            self._require_register_reader(conn, actor, N_("see the archive loans"))
            return loans(conn, self.clock.now(), state)

    def borrowings_of(self, user: str) -> list[Loan]:
        """The user's own borrowings, newest first: what they applied for and until when they may read."""
        with self.db.transaction() as conn:
            return loans(conn, self.clock.now(), borrower=user)

    def access_log(self, actor: str, where: AccessFilter) -> list[AccessRecord]:
        """Every recorded read attempt, newest first, by user, archive number and period (archivist, auditor)."""
        with self.db.transaction() as conn:
            self._require_register_reader(conn, actor, N_("see the archive access log"))
            return [AccessRecord(r.at, r.username, r.archive_number, r.borrowing_id, r.outcome, r.reason)
                    for r in conn.execute(access_query(where))]

    def inventory(self, actor: str) -> InventoryReport:
        """R-6.3 periodic inventory: completeness of every archive and loans past their due date."""
        with self.db.transaction() as conn:
            self._require_register_reader(conn, actor, N_("take the archive inventory"))
            return take_inventory(conn, self.clock.now())

    def borrowing(self, borrowing_id: str) -> BorrowingView:
        with self.db.transaction() as conn:
            row = conn.execute(select(BORROWINGS, ARCHIVES.c.number)
                               .join(ARCHIVES, ARCHIVES.c.id == BORROWINGS.c.archive_id)
                               .where(BORROWINGS.c.id == borrowing_id)).first()
        if row is None:
            raise NotFound(N_("no borrowing %(borrowing)s"), borrowing=borrowing_id)
        return BorrowingView(row.id, row.number, row.borrower, row.status, row.days, row.expires_at,
                             row.reminded_at, row.overdue_at, row.returned_at)

    # -- the decision --------------------------------------------------------------------------

    def _decide(self, conn: Connection, number: str, user: str, now: datetime) -> "_Decision":
        try:
            groups_of(conn, user)
        except NotFound:
            return _Decision(False, None, f"no active user {user!r}", missing=True)
        archive_id = conn.execute(select(ARCHIVES.c.id).where(ARCHIVES.c.number == number)).scalar()
        if archive_id is None:
            return _Decision(False, None, f"no archive {number}", missing=True)
        # The borrower must also be the starter of the borrowing's instance: the process, not its data,
        # says who applied.
        rows = conn.execute(
            select(BORROWINGS).join(INSTANCES, INSTANCES.c.id == BORROWINGS.c.id)
            .where(BORROWINGS.c.archive_id == archive_id, BORROWINGS.c.borrower == user,
                   INSTANCES.c.started_by == user)
            .order_by(BORROWINGS.c.requested_at.desc(), BORROWINGS.c.id)).all()
        for row in rows:
            if row.status == "approved" and row.expires_at is not None and now < row.expires_at:
                return _Decision(True, row.id, f"borrowing {row.id} approved until {row.expires_at.isoformat()}")
        if not rows:
            return _Decision(False, None, f"{user} has no borrowing of archive {number}; "
                                          "apply through archive borrowing (R-6.4)")
        latest = rows[0]
        return _Decision(False, latest.id, f"{user} may not read archive {number}: "
                                           f"borrowing {latest.id} {_why_not(latest, now)} (R-6.4)")

    @staticmethod
    def _content(conn: Connection, number: str, borrowing_id: str | None) -> ArchiveContent:
        archive = conn.execute(select(ARCHIVES).where(ARCHIVES.c.number == number)).one()
        items = conn.execute(select(ITEMS).where(ITEMS.c.archive_id == archive.id).order_by(ITEMS.c.seq))
        return ArchiveContent(archive.number, archive.archive_class, archive.title, archive.status,
                              borrowing_id or "",
                              [FiledItem(i.seq, i.kind, i.name, json.loads(i.content), i.filed_at) for i in items],
                              archive_documents(conn, number))

    @staticmethod
    def _require_register_reader(conn: Connection, actor: str, what: str) -> None:
        if not may_read_register(frozenset(groups_of(conn, actor))):
            # `what` is an N_-marked phrase, translated inside the sentence; the sentence names REGISTER_READERS.
            raise Forbidden(N_("%(actor)s may not %(what)s: only archivists and auditors may"), actor=actor,
                            what=[what])


@dataclass(frozen=True)
class _Decision:
    granted: bool
    borrowing_id: str | None
    reason: str
    missing: bool = False


def _why_not(row: Any, now: datetime) -> str:
    if row.status == "pending":
        return "is still waiting for approval"
    if row.status == "rejected":
        return "was rejected"
    if row.status == "returned":
        return f"ended when the archive was returned at {row.returned_at.isoformat()}"
    return f"expired at {row.expires_at.isoformat()}"


def may_read_register(groups: frozenset[str]) -> bool:
    """Archivists and auditors see the register, the loans and the access log (never the content)."""
    return bool(groups & REGISTER_READERS)


def class_titles() -> dict[str, tuple[str, str]]:
    """Class name → (en, zh-Hans) title, for listings."""
    return {name: (c.title_en, c.title_zh) for name, c in CLASSES.items()}
