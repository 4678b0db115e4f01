"""Read side for instance lists and details: filters, and who may see which instance."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, or_, select

from .access import SEES_EVERY_INSTANCE
from .errors import Conflict, NotFound
from .instancestore import HUMAN_TASKS, TaskView, task_view
from .models import InstanceEvent, ProcessDefinition, ProcessInstance
from .persistence import Database

# Groups whose members see every instance (reading is not changing: auditors included).
SEE_ALL_GROUPS = SEES_EVERY_INSTANCE  # the access policy's (engine/access.py): trackers follow every case


@dataclass(frozen=True)
class InstanceSummary:
    id: str
    process_key: str
    process_name: str
    version: int
    status: str
    business_key: str | None
    started_by: str
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    events: int
    ready_tasks: list[TaskView]


@dataclass(frozen=True)
class InstanceFilter:
    status: str | None = None
    process_key: str | None = None
    business_key: str | None = None
    started_by: str | None = None
    limit: int = 100
    offset: int = 0


def visibility_clause(username: str, groups: set[str]) -> Any:
    """Instances a non-privileged user may see: started, took part in, or has a task for them."""
    took_part = exists().where(InstanceEvent.instance_id == ProcessInstance.id, InstanceEvent.actor == username)
    has_task = exists().where(
        HUMAN_TASKS.c.instance_id == ProcessInstance.id,
        or_(HUMAN_TASKS.c.assignee == username, HUMAN_TASKS.c.candidate_group.in_(sorted(groups))),
    )
    return or_(ProcessInstance.started_by == username, took_part, has_task)


def may_work(task: TaskView, username: str, groups: set[str] | frozenset[str]) -> bool:
    """Whether `username` may claim or complete `task`: it is theirs, or unclaimed and for their group."""
    if task.assignee is not None:
        return task.assignee == username
    return task.candidate_group is None or task.candidate_group in groups


class InstanceReads:
    def __init__(self, db: Database):
        self.db = db

    def list(self, username: str, groups: set[str], where: InstanceFilter) -> list[InstanceSummary]:
        """Newest first, only what `username` may see; ready tasks are left out of lists."""
        query = self._base(username, groups).order_by(ProcessInstance.created_at.desc(), ProcessInstance.id)
        if where.status:
            query = query.where(ProcessInstance.status == where.status)
        if where.process_key:
            query = query.where(ProcessDefinition.key == where.process_key)
        if where.business_key:
            query = query.where(ProcessInstance.business_key == where.business_key)
        if where.started_by:
            query = query.where(ProcessInstance.started_by == where.started_by)
        query = query.limit(max(1, min(where.limit, 500))).offset(max(0, where.offset))
        with self.db.unit_of_work(write=False) as session:
            return [_summary(row, key, name, version, []) for row, key, name, version in session.execute(query)]

    def get(self, instance_id: str, username: str, groups: set[str]) -> InstanceSummary:
        """One instance with its ready tasks; NotFound when absent or not visible to `username`
        (an outsider learns nothing about which instance ids exist)."""
        query = self._base(username, groups).where(ProcessInstance.id == instance_id)
        with self.db.unit_of_work(write=False) as session:
            found = session.execute(query).first()
            if found is None:
                raise NotFound(f"no instance {instance_id}")
            tasks = session.execute(select(HUMAN_TASKS).where(HUMAN_TASKS.c.instance_id == instance_id)
                                    .order_by(HUMAN_TASKS.c.created_at, HUMAN_TASKS.c.id))
            row, key, name, version = found
            return _summary(row, key, name, version, [task_view(t) for t in tasks])

    def task(self, task_id: str) -> TaskView:
        """A ready user task; Conflict when it existed but is no longer ready, NotFound otherwise."""
        with self.db.unit_of_work(write=False) as session:
            row = session.execute(select(HUMAN_TASKS).where(HUMAN_TASKS.c.id == task_id)).first()
            if row is not None:
                return task_view(row)
            seen = session.execute(select(InstanceEvent.id).where(InstanceEvent.task_id == task_id).limit(1)).first()
        if seen is not None:
            raise Conflict(f"task {task_id} is no longer ready")
        raise NotFound(f"no task {task_id}")

    def may_see(self, instance_id: str, username: str, groups: set[str]) -> bool:
        query = select(ProcessInstance.id).where(ProcessInstance.id == instance_id)
        if not groups & SEE_ALL_GROUPS:
            query = query.where(visibility_clause(username, groups))
        with self.db.unit_of_work(write=False) as session:
            return session.execute(query).first() is not None

    def definition_id_of(self, instance_id: str) -> int:
        with self.db.unit_of_work(write=False) as session:
            found = session.scalar(select(ProcessInstance.definition_id).where(ProcessInstance.id == instance_id))
        if found is None:
            raise NotFound(f"no instance {instance_id}")
        return int(found)

    @staticmethod
    def _base(username: str, groups: set[str]) -> Select[Any]:
        query = (select(ProcessInstance, ProcessDefinition.key, ProcessDefinition.name, ProcessDefinition.version)
                 .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id))
        if not groups & SEE_ALL_GROUPS:
            query = query.where(visibility_clause(username, groups))
        return query


def _summary(row: ProcessInstance, key: str, name: str, version: int, tasks: list[TaskView]) -> InstanceSummary:
    return InstanceSummary(
        id=row.id, process_key=key, process_name=name or key, version=version, status=row.status,
        business_key=row.business_key, started_by=row.started_by, created_at=row.created_at,
        updated_at=row.updated_at, completed_at=row.completed_at, events=row.event_seq, ready_tasks=tasks,
    )
