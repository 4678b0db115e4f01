"""Acceptance plumbing for R-3.2.1 and R-3.2.2: the trade area deployed on the case desk (demo organisation),
and steps worked from each person's own inbox, every one loaded cold from storage."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from casework.archive import RegisterEntry
from casework.archive_register import ARCHIVES, ITEMS
from engine.bootstrap import Casedesk
from engine.documents.service import Upload
from engine.runtime.readmodel import ReadModel
from tests.acceptance.case_support import _mail_server, _sms_server, desk, mailbox, sms  # noqa: F401 - fixtures
from tests.support.steps import deploy_area
# Monday 2 November 2026, 10:00 in Beijing.
MORNING = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def trade_desk(desk: Casedesk) -> Iterator[Casedesk]:  # noqa: F811
    deploy_area(desk, "trade")
    desk.clock.set(MORNING)
    yield desk


def start(desk: Casedesk, key: str, user: str) -> str:
    return desk.runtime.start_instance(key, {}, actor=user).id


def inbox(desk: Casedesk, user: str, instance_id: str | None = None) -> list[str]:
    """The task specs in `user`'s inbox (of one instance)."""
    return sorted(t.task_spec for t in desk.runtime.list_tasks(user=user, instance_id=instance_id))


def attach(desk: Casedesk, user: str, name: str, content: bytes) -> dict[str, Any]:
    """A file uploaded by `user` as a form's file field takes it: the reference the form submits."""
    (reference,) = desk.documents.store([Upload("file", name, content)], user)
    return reference


def data(desk: Casedesk, instance_id: str) -> dict[str, Any]:
    """The instance's current data, as the case page reads it."""
    return dict(ReadModel(desk.db).instance(instance_id).data)


def register(desk: Casedesk, archive_class: str) -> list[RegisterEntry]:
    """The archive register of one class, as the archivist lists it."""
    return desk.archives.list_register("ann", archive_class)


def filed_records(desk: Casedesk, number: str) -> dict[str, Any]:
    """What an archive holds, by item name (read from the register's tables: the test is not a borrower)."""
    with desk.db.transaction() as conn:
        rows = conn.execute(select(ITEMS.c.name, ITEMS.c.content).join(ARCHIVES, ARCHIVES.c.id == ITEMS.c.archive_id)
                            .where(ARCHIVES.c.number == number).order_by(ITEMS.c.seq))
        return {name: json.loads(content) for name, content in rows}
