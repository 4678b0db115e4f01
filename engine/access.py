"""The access policy: who may see, work, start, cancel, deploy, track or audit what (pure functions)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import AbstractSet, Iterable, Protocol

ADMIN, PROCESS_OWNER, AUDITOR = "admin", "process_owner", "auditor"
TRACKER = "tracker"
RESERVED_GROUPS = frozenset({ADMIN, PROCESS_OWNER, AUDITOR})
# Groups whose members see every instance (`may_see_instance`), for queries that filter in SQL.
SEES_EVERY_INSTANCE = frozenset({ADMIN, AUDITOR, TRACKER})


@dataclass(frozen=True)
class Actor:
    """A signed-in user as the policy sees them: a name and the groups they belong to."""

    username: str
    groups: frozenset[str] = field(default_factory=frozenset)

    @property
    def staff_groups(self) -> frozenset[str]:
        return self.groups - RESERVED_GROUPS


class TaskFacts(Protocol):
    """What the policy needs of a user task (an inbox row: `engine.runtime.store.TaskView`)."""

    @property
    def candidate_group(self) -> str | None: ...

    @property
    def assignee(self) -> str | None: ...


@dataclass(frozen=True)
class InstanceFacts:
    """What the policy needs of an instance: who started it, who acted on it, whose tasks are ready."""

    started_by: str
    actors: AbstractSet[str] = frozenset()
    ready_groups: AbstractSet[str | None] = frozenset()
    ready_assignees: AbstractSet[str] = frozenset()


def is_admin(actor: Actor) -> bool:
    return ADMIN in actor.groups


def is_auditor(actor: Actor) -> bool:
    return AUDITOR in actor.groups


def is_process_owner(actor: Actor) -> bool:
    return PROCESS_OWNER in actor.groups


def is_staff(actor: Actor) -> bool:
    """Staff work tasks: members of at least one non-reserved group."""
    return bool(actor.staff_groups)


def may_see_task(actor: Actor, task: TaskFacts) -> bool:
    """Staff see their own tasks and the unclaimed tasks of their groups; auditors and admins see all."""
    if is_admin(actor) or is_auditor(actor):
        return True
    return task.assignee == actor.username or may_work_task(actor, task)


def may_work_task(actor: Actor, task: TaskFacts) -> bool:
    """Claim, unclaim and complete: the task's group (or any staff when it names none), not claimed
    by someone else. Auditors change nothing, so the auditor role alone never qualifies."""
    if task.assignee is not None and task.assignee != actor.username:
        return False
    if task.assignee == actor.username and is_staff(actor):
        return True  # put in their hands by name (a head took over an absent group's task, R-3.1)
    if task.candidate_group is None:
        return is_staff(actor)
    return task.candidate_group in actor.staff_groups


def may_start(actor: Actor, start_groups: AbstractSet[str]) -> bool:
    """The lanes of the start events name the starters; without lanes every staff member may start."""
    if not start_groups:
        return is_staff(actor)
    return bool(start_groups & actor.staff_groups)


def may_see_instance(actor: Actor, instance: InstanceFacts) -> bool:
    """Confidentiality (R-3.1): auditors, admins and trackers see every case; staff see the cases
    they started or worked on, those in their hands and those waiting, unclaimed, for one of their groups."""
    if is_admin(actor) or is_auditor(actor) or may_track(actor):
        return True
    if actor.username == instance.started_by or actor.username in instance.actors:
        return True
    if actor.username in instance.ready_assignees:
        return True
    return bool(actor.staff_groups & {g for g in instance.ready_groups if g is not None})


def may_cancel(actor: Actor, instance: InstanceFacts) -> bool:
    return is_admin(actor) or actor.username == instance.started_by


def may_deploy(actor: Actor) -> bool:
    """Only process owners deploy and edit definitions."""
    return is_process_owner(actor)


def may_see_load_errors(actor: Actor) -> bool:
    """A process version that does not load is shown, with its error, to those who can act on it."""
    return is_process_owner(actor) or is_admin(actor)


def may_migrate(actor: Actor) -> bool:
    """Process owners and administrators move running instances to another version."""
    return is_process_owner(actor) or is_admin(actor)


def may_see_definitions(actor: Actor) -> bool:
    return is_process_owner(actor) or is_admin(actor) or is_auditor(actor)


def may_audit(actor: Actor) -> bool:
    """The full, exportable history of any instance: auditors (read-only) and admins."""
    return is_auditor(actor) or is_admin(actor)


def may_track(actor: Actor) -> bool:
    """The progress tracker (R-2.2.3): the tracking role, the admins who lead it, and auditors (read-only)."""
    return TRACKER in actor.groups or is_admin(actor) or is_auditor(actor)


def visible_tasks(actor: Actor, tasks: Iterable[TaskFacts]) -> list[TaskFacts]:
    return [task for task in tasks if may_see_task(actor, task)]


def may_send_message(actor: Actor, start_groups: AbstractSet[str]) -> bool:
    """A message from outside moves or starts an instance of a process: its starters (the lanes of its
    start events, any staff without lanes), process owners and admins may send it."""
    return is_admin(actor) or is_process_owner(actor) or may_start(actor, start_groups)
