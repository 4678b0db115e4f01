"""Staff notifications (issue 13 item 10): an e-mail digest per user of new, soon-due and overdue tasks with
links, sent through the notice transport (the outbox here) by the job worker, each task once per reason;
the navigation counts; switching the digest off."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Iterator

import pytest
from sqlalchemy import select

from casework.digest import TaskCounts
from casework.outbox import OutboxMessage
from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from tests.acceptance.archive_desk import PEOPLE, ArchiveDesk
from tests.conftest import DEMO_USERS, PASSWORD
from web.app import create_app


@pytest.fixture
def desk_app(database_url: str, clock: FakeClock) -> Iterator[Casedesk]:
    """casedesk with the digest every 60 minutes through the outbox, the demo area deployed; the worker has
    looked once, so the digest is scheduled an hour on."""
    settings = replace(Settings(database_url=database_url), notify_transport="outbox", digest_minutes=60,
                       public_url="https://desk.example")
    casedesk = bootstrap(settings, clock=clock)
    casedesk.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms"), "owen")
    for name, groups in DEMO_USERS.items():
        casedesk.users.add_user(name, PASSWORD, groups)
    assert casedesk.jobs.run_due("test") == 0
    yield casedesk
    casedesk.close()


def outbox(app: Casedesk) -> list[OutboxMessage]:
    with app.db.unit_of_work(write=False) as session:
        found = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
    return found


def review_task(app: Casedesk, title: str) -> str:
    started = app.runtime.start_instance("document_review", {"title": title}, actor="alice")
    drafted = app.runtime.complete_task(started.ready_tasks[0].id, {"body": "Text"}, actor="alice")
    return drafted.ready_tasks[0].id


def test_the_worker_mails_each_reviewer_their_new_task_with_its_link_once(desk_app: Casedesk) -> None:
    task_id = review_task(desk_app, "Travel policy")
    desk_app.clock.advance(timedelta(minutes=60))
    assert desk_app.jobs.run_due("test") == 1  # the digest job
    to_rita = [m for m in outbox(desk_app) if m.recipient == "rita@casedesk.local"]
    assert len(to_rita) == 1
    assert to_rita[0].channel == "email"
    assert "New tasks for your groups" in to_rita[0].message
    assert f"https://desk.example/tasks/{task_id}" in to_rita[0].message
    assert "https://desk.example/account" in to_rita[0].message
    assert not [m for m in outbox(desk_app) if m.recipient.startswith("alice@")]  # not her group's task

    desk_app.clock.advance(timedelta(minutes=61))
    desk_app.jobs.run_due("test")
    assert len([m for m in outbox(desk_app) if m.recipient == "rita@casedesk.local"]) == 1  # told once


def test_the_digest_waits_for_its_interval(desk_app: Casedesk) -> None:
    desk_app.clock.advance(timedelta(minutes=60))
    desk_app.jobs.run_due("test")  # nothing to tell yet
    assert outbox(desk_app) == []
    review_task(desk_app, "Travel policy")
    desk_app.clock.advance(timedelta(minutes=30))
    desk_app.jobs.run_due("test")
    assert outbox(desk_app) == []
    desk_app.clock.advance(timedelta(minutes=31))
    desk_app.jobs.run_due("test")
    assert [m.recipient for m in outbox(desk_app)] == ["rita@casedesk.local"]


def test_due_soon_and_overdue_are_each_told_once_and_an_overdue_task_is_listed_once(desk_app: Casedesk) -> None:
    desk = ArchiveDesk.set_up(desk_app)
    number = desk.file("XS-20260105-0001")
    borrowing = desk.apply("sam", number, days=2)
    desk.approve(borrowing)  # sam's return task is due in two days
    returning = desk.task(borrowing, "return_archive").id
    desk_app.clock.advance(timedelta(minutes=60))
    desk_app.jobs.run_due("test")  # the borrowing's own timers may run too
    first = [m for m in outbox(desk_app) if m.recipient == "sam@casedesk.local"]
    assert len(first) == 1 and "New tasks for your groups" in first[0].message

    desk_app.clock.advance(timedelta(days=1, hours=1))
    desk_app.jobs.run_due("test")
    second = [m for m in outbox(desk_app) if m.recipient == "sam@casedesk.local"][1:]
    assert len(second) == 1 and "Due within a day" in second[0].message and returning in second[0].message

    desk_app.clock.advance(timedelta(days=1))
    desk_app.jobs.run_due("test")
    third = [m for m in outbox(desk_app) if m.recipient == "sam@casedesk.local"][2:]
    assert len(third) == 1 and "Overdue" in third[0].message
    assert third[0].message.count(f"/tasks/{returning}") == 1

    desk_app.clock.advance(timedelta(hours=2))
    desk_app.jobs.run_due("test")
    assert len([m for m in outbox(desk_app) if m.recipient == "sam@casedesk.local"]) == 3


def test_a_user_who_switched_the_digest_off_gets_none_and_another_language_and_address_are_kept(
        desk_app: Casedesk) -> None:
    desk_app.digest.save_setting("rita", digest=False, email="", language="en")
    desk_app.users.add_user("ruth", PASSWORD, ["reviewer"])
    desk_app.digest.save_setting("ruth", digest=True, email="ruth@example.org", language="zh-Hans")
    review_task(desk_app, "Travel policy")
    desk_app.clock.advance(timedelta(minutes=60))
    desk_app.jobs.run_due("test")
    [message] = outbox(desk_app)
    assert message.recipient == "ruth@example.org"
    assert "您所在组的新任务" in message.message and "New tasks" not in message.message
    assert "审核文件" in message.message and "Review" not in message.message  # the task's name, from the bundle
    with pytest.raises(Exception, match="not an e-mail address"):
        desk_app.digest.save_setting("ruth", digest=True, email="ruth at example", language="en")
    assert desk_app.digest.setting("ruth").email == "ruth@example.org"


def test_navigation_counts_are_my_ready_tasks_and_the_overdue_ones(desk_app: Casedesk) -> None:
    rita = frozenset(DEMO_USERS["rita"])
    assert desk_app.digest.counts("rita", rita, desk_app.clock.now()) == TaskCounts(0, 0)
    first = review_task(desk_app, "One")
    review_task(desk_app, "Two")
    assert desk_app.digest.counts("rita", rita, desk_app.clock.now()) == TaskCounts(2, 0)
    assert desk_app.digest.counts("alice", frozenset({"clerk"}), desk_app.clock.now()) == TaskCounts(0, 0)
    desk_app.runtime.claim_task(first, actor="rita")
    desk_app.users.add_user("ruth", PASSWORD, ["reviewer"])
    assert desk_app.digest.counts("ruth", rita, desk_app.clock.now()) == TaskCounts(1, 0)  # not rita's claimed one

    desk = ArchiveDesk.set_up(desk_app)
    desk.approve(desk.apply("sam", desk.file("XS-20260105-0001")))  # return due in seven days
    sam = frozenset(PEOPLE["sam"])
    assert desk_app.digest.counts("sam", sam, desk_app.clock.now()) == TaskCounts(1, 0)
    desk_app.clock.advance(timedelta(days=8))
    assert desk_app.digest.counts("sam", sam, desk_app.clock.now()) == TaskCounts(1, 1)


def test_administrators_see_the_digest_among_the_scheduled_jobs(desk_app: Casedesk) -> None:
    web = create_app({"TESTING": True, "CASEDESK": desk_app, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})
    client = web.test_client()
    assert client.post("/login", data={"username": "root", "password": PASSWORD}).status_code == 302
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Task digest e-mail" in page and "Periodic" in page
