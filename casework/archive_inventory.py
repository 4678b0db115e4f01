"""Periodic inventory of the archive register (R-6.3): is every archive complete and every loan back?"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, select

from casework.archive_register import ARCHIVES, BORROWINGS, ITEMS


@dataclass(frozen=True)
class Finding:
    number: str
    problem: str


@dataclass
class InventoryReport:
    taken_at: datetime
    archives_per_class: dict[str, int] = field(default_factory=dict)
    items: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def take_inventory(conn: Connection, now: datetime) -> InventoryReport:
    """Checks what R-6.1/R-6.3 promise: items numbered without gaps (nothing removed), application
    materials in every archive, case records in every completed one, no loan past its due date."""
    report = InventoryReport(taken_at=now)
    kinds: dict[int, set[str]] = defaultdict(set)
    seqs: dict[int, list[int]] = defaultdict(list)
    for archive_id, seq, kind in conn.execute(select(ITEMS.c.archive_id, ITEMS.c.seq, ITEMS.c.kind)):
        kinds[archive_id].add(kind)
        seqs[archive_id].append(seq)
        report.items += 1
    per_class: dict[str, int] = defaultdict(int)
    for archive in conn.execute(select(ARCHIVES).order_by(ARCHIVES.c.number)):
        per_class[archive.archive_class] += 1
        numbers = sorted(seqs[archive.id])
        if numbers != list(range(1, len(numbers) + 1)):
            missing = sorted(set(range(1, (numbers[-1] if numbers else 0) + 1)) - set(numbers))
            report.findings.append(Finding(archive.number, f"filed items missing: {missing}"))
        # A case closed before acceptance (consultation only, withdrawn) has no number and no materials.
        if archive.case_number is not None and "application_material" not in kinds[archive.id]:
            report.findings.append(Finding(archive.number, "no application materials filed (R-2.1.3)"))
        if archive.status == "complete" and "case_record" not in kinds[archive.id]:
            report.findings.append(Finding(archive.number, "complete without processing records (R-6.1)"))
    report.archives_per_class = dict(sorted(per_class.items()))
    overdue = conn.execute(
        select(ARCHIVES.c.number, BORROWINGS.c.id, BORROWINGS.c.borrower, BORROWINGS.c.expires_at)
        .join(ARCHIVES, ARCHIVES.c.id == BORROWINGS.c.archive_id)
        .where(BORROWINGS.c.status == "approved", BORROWINGS.c.expires_at <= now)
        .order_by(ARCHIVES.c.number, BORROWINGS.c.expires_at))
    for number, borrowing_id, borrower, expires_at in overdue:
        report.findings.append(Finding(number, f"lent to {borrower} under borrowing {borrowing_id}, "
                                               f"due {expires_at.isoformat()}, not returned (R-6.4)"))
    return report
