"""The documents filed with a case's archive (R-6.1): the files its forms attached, found through the
instances that filed the archive, and whether a case's documents are now the archive's to guard (R-6.4)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, cast

from sqlalchemy import Connection, Table, or_, select

from casework.archive_register import ARCHIVES, ITEMS
from engine.models import InstanceSummary
from forms.documents import references_in

SUMMARIES = cast(Table, InstanceSummary.__table__)


@dataclass(frozen=True)
class FiledDocument:
    """One attached file of an archived case: the form field that took it and its reference."""

    variable: str
    sha256: str
    name: str
    size: int
    media_type: str


@dataclass(frozen=True)
class CaseArchive:
    number: str
    status: str  # "open" while the case goes on, "complete" once its records are filed

    @property
    def guarded(self) -> bool:
        """A complete archive's documents are read only through the archive guard (R-6.4)."""
        return self.status == "complete"


def archive_of_instance(conn: Connection, instance_id: str) -> CaseArchive | None:
    """The archive an instance opened or filed into, if any (one per case)."""
    filed = select(ITEMS.c.archive_id).where(ITEMS.c.filed_by_instance == instance_id)
    row = conn.execute(select(ARCHIVES.c.number, ARCHIVES.c.status)
                       .where(or_(ARCHIVES.c.opened_by_instance == instance_id, ARCHIVES.c.id.in_(filed)))
                       .order_by(ARCHIVES.c.id).limit(1)).first()
    return None if row is None else CaseArchive(row.number, row.status)


def archive_documents(conn: Connection, number: str) -> list[FiledDocument]:
    """Every file the archive's case attached, in the order of the case's data, each content once."""
    archive = conn.execute(select(ARCHIVES.c.id, ARCHIVES.c.opened_by_instance)
                           .where(ARCHIVES.c.number == number)).first()
    if archive is None:
        return []
    instances = {archive.opened_by_instance} | set(conn.execute(
        select(ITEMS.c.filed_by_instance).where(ITEMS.c.archive_id == archive.id).distinct()).scalars())
    instances.discard(None)
    found: list[FiledDocument] = []
    seen: set[str] = set()
    for row in conn.execute(select(SUMMARIES.c.data).where(SUMMARIES.c.instance_id.in_(sorted(instances)))
                            .order_by(SUMMARIES.c.instance_id)):
        for variable, ref in references_in(_data(row.data)):
            if ref["sha256"] not in seen:
                seen.add(ref["sha256"])
                found.append(FiledDocument(variable, ref["sha256"], ref["name"], ref["size"], ref["media_type"]))
    return found


def _data(text: str) -> Mapping[str, Any]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}
