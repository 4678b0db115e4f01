"""The access policy (engine/access.py): staff work their groups' tasks, auditors change nothing."""
from __future__ import annotations

from dataclasses import dataclass

from engine.access import (
    Actor,
    InstanceFacts,
    may_audit,
    may_cancel,
    may_deploy,
    may_see_instance,
    may_see_task,
    may_start,
    may_track,
    may_work_task,
)


@dataclass
class Task:
    candidate_group: str | None
    assignee: str | None = None


def actor(name: str, *groups: str) -> Actor:
    return Actor(name, frozenset(groups))


def test_staff_work_unclaimed_tasks_of_their_groups_only() -> None:
    sam = actor("sam", "sales", "staff")
    assert may_work_task(sam, Task("sales"))
    assert not may_work_task(sam, Task("finance"))
    assert not may_work_task(sam, Task("sales", assignee="sue"))
    assert may_work_task(sam, Task("sales", assignee="sam"))


def test_a_task_without_a_group_is_for_any_staff_member_but_never_an_auditor() -> None:
    assert may_work_task(actor("sam", "sales"), Task(None))
    assert not may_work_task(actor("audrey", "auditor"), Task(None))
    assert not may_work_task(actor("root", "admin"), Task(None))


def test_auditors_and_admins_see_every_task_but_auditors_work_none() -> None:
    audrey, root = actor("audrey", "auditor"), actor("root", "admin")
    assert may_see_task(audrey, Task("finance", assignee="fay"))
    assert may_see_task(root, Task("finance"))
    assert not may_work_task(audrey, Task("finance"))
    assert not may_see_task(actor("sam", "sales"), Task("finance"))


def test_reserved_groups_are_roles_not_lanes() -> None:
    # A lane named like a role must not let role holders work it as staff.
    assert not may_work_task(actor("owen", "process_owner"), Task("process_owner"))


def test_start_follows_the_start_lanes() -> None:
    ivy, sam = actor("ivy", "intake", "staff"), actor("sam", "sales", "staff")
    assert may_start(ivy, {"intake"})
    assert not may_start(sam, {"intake"})
    assert may_start(sam, set())
    assert not may_start(actor("audrey", "auditor"), set())


def test_r_3_1_staff_see_only_cases_they_are_part_of() -> None:
    case = InstanceFacts(started_by="ivy", actors=frozenset({"ivy", "sam"}), ready_groups=frozenset({"finance"}))
    assert may_see_instance(actor("ivy", "intake"), case)
    assert may_see_instance(actor("sam", "sales"), case)  # worked on it
    assert may_see_instance(actor("fay", "finance"), case)  # waiting for her group
    assert not may_see_instance(actor("pat", "procurement"), case)
    for name, group in (("tom", "tracker"), ("audrey", "auditor"), ("root", "admin")):
        assert may_see_instance(actor(name, group), case)


def test_only_admins_and_starters_cancel_only_owners_deploy_only_auditors_and_admins_audit() -> None:
    case = InstanceFacts(started_by="ivy")
    assert may_cancel(actor("ivy", "intake"), case) and may_cancel(actor("root", "admin"), case)
    assert not may_cancel(actor("sam", "sales"), case)
    assert may_deploy(actor("owen", "process_owner")) and not may_deploy(actor("root", "admin"))
    assert may_audit(actor("audrey", "auditor")) and not may_audit(actor("tom", "tracker"))
    assert may_track(actor("tom", "tracker")) and not may_track(actor("sam", "sales"))
