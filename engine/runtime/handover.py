"""Reassign, release, delegate: who works a task changes hands, each change an input event replay repeats.

A group's head (member of `<group>_head`) or an administrator reassigns a task of the group to one of
its members, or releases another user's claim; whoever holds a task may delegate it to a colleague
of the task's group. The inbox row changes in the same transaction as the event.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from engine.access import ADMIN, RESERVED_GROUPS
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.runtime.service import Runtime
from engine.models import Group, Membership, User
from engine.runtime.store import HUMAN_TASKS, InstanceRecord, InstanceStore, TaskView, task_view
from engine.users import groups_of

HEAD_SUFFIX = "_head"


def head_group(task: TaskView) -> str | None:
    return None if task.candidate_group is None else task.candidate_group + HEAD_SUFFIX


def may_hand_over(actor_groups: set[str], task: TaskView) -> bool:
    """Reassign and release: the head of the task's group, or an administrator."""
    return ADMIN in actor_groups or (head_group(task) or ADMIN) in actor_groups


class TaskHandover:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def team_tasks(self, groups: set[str] | None) -> list[TaskView]:
        """Ready tasks of these groups (every task for None: administrators), claimed ones first."""
        query = select(HUMAN_TASKS).order_by(HUMAN_TASKS.c.assignee.is_(None), HUMAN_TASKS.c.created_at)
        if groups is not None:
            query = query.where(HUMAN_TASKS.c.candidate_group.in_(sorted(groups)))
        with self.runtime.db.unit_of_work(write=False) as session:
            return [task_view(row) for row in session.execute(query.limit(500))]

    def members(self, group: str) -> list[str]:
        """Active members of a group, who may be given its tasks."""
        query = (select(User.username).join(Membership, Membership.user_id == User.id)
                 .join(Group, Group.id == Membership.group_id)
                 .where(Group.name == group, User.active.is_(True)).order_by(User.username))
        with self.runtime.db.unit_of_work(write=False) as session:
            return list(session.scalars(query))

    def reassign(self, task_id: str, to: str, actor: str) -> TaskView:
        def change(store: InstanceStore, human: TaskView, actor_groups: set[str]) -> tuple[str, dict[str, str]]:
            if not may_hand_over(actor_groups, human):
                raise Forbidden(f"only the head of {human.candidate_group or 'the group'} or an administrator "
                                "may reassign this task")
            self._check_eligible(store, human, to)
            return "task_reassigned", {"from": human.assignee or "", "to": to}
        return self._hand_over(task_id, actor, change, lambda human: to)

    def release(self, task_id: str, actor: str) -> TaskView:
        def change(store: InstanceStore, human: TaskView, actor_groups: set[str]) -> tuple[str, dict[str, str]]:
            if not may_hand_over(actor_groups, human):
                raise Forbidden(f"only the head of {human.candidate_group or 'the group'} or an administrator "
                                "may release another user's claim")
            if human.assignee is None:
                raise Conflict(f"task {human.title!r} is not claimed")
            return "task_released", {"from": human.assignee}
        return self._hand_over(task_id, actor, change, lambda human: None)

    def delegate(self, task_id: str, to: str, actor: str) -> TaskView:
        def change(store: InstanceStore, human: TaskView, actor_groups: set[str]) -> tuple[str, dict[str, str]]:
            if human.assignee != actor:
                raise Forbidden("claim the task first: only who holds a task delegates it")
            if to == actor:
                raise InvalidInput("choose a colleague, not yourself", {"to": ["that is you"]})
            self._check_eligible(store, human, to)
            return "task_delegated", {"from": actor, "to": to}
        return self._hand_over(task_id, actor, change, lambda human: to)

    def _hand_over(self, task_id: str, actor: str, change: object, new_assignee: object) -> TaskView:
        runtime = self.runtime
        with runtime.db.transaction() as conn:
            store = runtime._store(conn)
            actor_groups = groups_of(conn, actor)
            found = store.lock_task(task_id, actor)
            if found is None:
                raise runtime._missing_task(store, task_id)
            record: InstanceRecord = found.instance
            human = store.human_task(task_id) if store.lock_rows else found.task
            if human is None:
                raise Conflict(f"task {task_id} is no longer ready")
            if record.status != "running":
                raise Conflict(f"instance {record.id} is {record.status}")
            type_, payload = change(store, human, actor_groups)  # type: ignore[operator]
            human = replace(human, assignee=new_assignee(human))  # type: ignore[operator]
            version = runtime._record_claim(store, record, human, type_, actor, payload)
        runtime.warm.rekey(record.id, version, record.lock_version)
        return human

    @staticmethod
    def _check_eligible(store: InstanceStore, task: TaskView, to: str) -> None:
        try:
            groups = groups_of(store.conn, to)
        except NotFound:
            raise InvalidInput(f"there is no active user {to!r}", {"to": ["no such active user"]}) from None
        if task.candidate_group is not None and task.candidate_group not in groups:
            raise InvalidInput(f"{to} is not in group {task.candidate_group!r} of task {task.title!r}",
                               {"to": [f"not in group {task.candidate_group}"]})
        if task.candidate_group is None and not groups - RESERVED_GROUPS:
            raise InvalidInput(f"{to} works no tasks (no staff group)", {"to": ["not staff"]})
