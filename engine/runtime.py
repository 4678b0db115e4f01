"""Runtime services: start instances, work user tasks, cancel — each one transaction."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from handlers.context import HandlerRegistry

from .clock import Clock
from .definitions import DefinitionService, latest_version
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .eventlog import GENESIS, INPUT, append_event
from .models import HumanTask, InstanceEvent, ProcessInstance
from .persistence import Database
from .step import InstanceStep
from .users import groups_of
from .workflowstate import StateCodec

FormValidator = Callable[[dict[str, Any], dict[str, Any]], dict[str, list[str]]]


@dataclass(frozen=True)
class TaskView:
    id: str
    instance_id: str
    process_key: str
    task_spec: str
    title: str
    candidate_group: str | None
    assignee: str | None
    form_file: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: HumanTask) -> "TaskView":
        return cls(row.id, row.instance_id, row.process_key, row.task_spec, row.title,
                   row.candidate_group, row.assignee, row.form_file, row.created_at)


@dataclass(frozen=True)
class InstanceView:
    id: str
    process_key: str
    version: int
    status: str
    started_by: str
    events: int
    ready_tasks: list[TaskView]


class Runtime:
    def __init__(self, db: Database, definitions: DefinitionService, environment: BasePythonScriptEngineEnvironment,
                 handlers: HandlerRegistry, clock: Clock, validate_form: FormValidator):
        self.db = db
        self.definitions = definitions
        self.environment = environment
        self.handlers = handlers
        self.clock = clock
        self.validate_form = validate_form
        self.codec = StateCodec()

    # -- services ---------------------------------------------------------------------------

    def start_instance(self, key: str, data: dict[str, Any], actor: str) -> InstanceView:
        _require_object(data)
        with self.db.unit_of_work() as session:
            groups_of(session, actor)
            definition_row = latest_version(session, key)
            if definition_row is None:
                raise NotFound(f"no process {key!r} is deployed")
            definition = self.definitions.load(definition_row.id)
            now = self.clock.now()
            row = ProcessInstance(
                id=str(uuid.uuid4()), definition_id=definition.id, status="running", business_key=None,
                started_by=actor, state="", event_seq=0, event_head=GENESIS, created_at=now, updated_at=now,
            )
            session.add(row)
            session.flush()  # events reference the row; no ORM relationship orders the inserts
            step = self._step(session, row)
            step.record(INPUT, "instance_started", {"process": key, "version": definition.version, "data": data},
                        actor=actor)
            step.start(data)
            step.finish()
            session.flush()
            return self._view(session, row)

    def list_tasks(self, user: str | None = None, instance_id: str | None = None) -> list[TaskView]:
        """Ready user tasks: all, one instance's, or those `user` may work (own and groups')."""
        with self.db.unit_of_work(write=False) as session:
            query = select(HumanTask).order_by(HumanTask.created_at, HumanTask.id)
            if instance_id is not None:
                query = query.where(HumanTask.instance_id == instance_id)
            if user is not None:
                groups = groups_of(session, user)
                query = query.where(or_(
                    HumanTask.assignee == user,
                    (HumanTask.assignee.is_(None)) & or_(HumanTask.candidate_group.in_(groups),
                                                         HumanTask.candidate_group.is_(None)),
                ))
            return [TaskView.of(row) for row in session.scalars(query)]

    def claim_task(self, task_id: str, actor: str) -> TaskView:
        with self._locked_task(task_id, actor) as (session, row, human):
            if human.assignee == actor:
                return TaskView.of(human)
            if human.assignee is not None:
                raise Conflict(f"task {task_id} is already claimed by {human.assignee}")
            human.assignee = actor
            self._record_simple(session, row, "task_claimed", {}, actor, human)
            return TaskView.of(human)

    def unclaim_task(self, task_id: str, actor: str) -> TaskView:
        with self._locked_task(task_id, actor) as (session, row, human):
            if human.assignee is None:
                raise Conflict(f"task {task_id} is not claimed")
            human.assignee = None
            self._record_simple(session, row, "task_unclaimed", {}, actor, human)
            return TaskView.of(human)

    def complete_task(self, task_id: str, data: dict[str, Any], actor: str) -> InstanceView:
        _require_object(data)
        with self._locked_task(task_id, actor) as (session, row, human):
            definition = self.definitions.load(row.definition_id)
            if human.form_file is not None:
                schema = definition.forms.get(human.form_file)
                if schema is None:
                    raise NotFound(f"form {human.form_file} is not part of this definition version")
                errors = self.validate_form(schema, data)
                if errors:
                    raise InvalidInput("the form has errors; nothing was saved", errors)
            step = self._step(session, row)
            task = step.task(task_id)
            if human.assignee is None:
                step.record(INPUT, "task_claimed", {"implicit": True}, actor=actor, task=task)
            step.record(INPUT, "task_submitted", {"data": data}, actor=actor, task=task)
            step.complete_user_task(task, data, actor)
            step.finish()
            session.flush()
            return self._view(session, row)

    def cancel_instance(self, instance_id: str, actor: str, reason: str = "") -> InstanceView:
        with self.db.unit_of_work() as session:
            groups = groups_of(session, actor)
            row = self._lock_instance(session, instance_id)
            if "admin" not in groups and actor != row.started_by:
                raise Forbidden("only an administrator or the starter may cancel an instance")
            step = self._step(session, row)
            step.record(INPUT, "instance_cancelled", {"reason": reason}, actor=actor)
            step.workflow.cancel()
            row.status = "cancelled"
            row.completed_at = step.now
            step.finish()
            session.flush()
            return self._view(session, row)

    def get_instance(self, instance_id: str) -> InstanceView:
        with self.db.unit_of_work(write=False) as session:
            row = session.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(f"no instance {instance_id}")
            return self._view(session, row)

    # -- plumbing ---------------------------------------------------------------------------

    def _step(self, session: Session, row: ProcessInstance) -> InstanceStep:
        definition = self.definitions.load(row.definition_id)
        return InstanceStep(session, row, definition, self.environment, self.handlers, self.codec, self.clock.now())

    @contextmanager
    def _locked_task(self, task_id: str, actor: str) -> Iterator[tuple[Session, ProcessInstance, HumanTask]]:
        """Lock the task's instance, then re-read the task and check the actor may work it."""
        with self.db.unit_of_work() as session:
            groups = groups_of(session, actor)
            human = session.get(HumanTask, task_id)
            if human is None:
                raise self._missing_task(session, task_id)
            row = self._lock_instance(session, human.instance_id)
            human = session.get(HumanTask, task_id, populate_existing=True)
            if human is None:
                raise Conflict(f"task {task_id} is no longer ready")
            if human.candidate_group is not None and human.candidate_group not in groups:
                raise Forbidden(f"{actor} is not in group {human.candidate_group!r} of task {human.title!r}")
            if human.assignee is not None and human.assignee != actor:
                raise Forbidden(f"task {human.title!r} is claimed by {human.assignee}")
            yield session, row, human

    def _lock_instance(self, session: Session, instance_id: str) -> ProcessInstance:
        row = session.get(ProcessInstance, instance_id, with_for_update=True, populate_existing=True)
        if row is None:
            raise NotFound(f"no instance {instance_id}")
        if row.status != "running":
            raise Conflict(f"instance {instance_id} is {row.status}")
        return row

    @staticmethod
    def _missing_task(session: Session, task_id: str) -> Exception:
        seen = session.scalar(select(exists().where(InstanceEvent.task_id == task_id)))
        return Conflict(f"task {task_id} is no longer ready") if seen else NotFound(f"no task {task_id}")

    def _record_simple(self, session: Session, row: ProcessInstance, type_: str, payload: dict[str, Any],
                       actor: str, human: HumanTask) -> None:
        append_event(session, row, self.clock.now(), INPUT, type_, payload, actor=actor,
                     task_id=human.id, task_spec=human.task_spec)
        row.updated_at = self.clock.now()

    @staticmethod
    def _view(session: Session, row: ProcessInstance) -> InstanceView:
        tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == row.id).order_by(HumanTask.created_at))
        return InstanceView(row.id, row.definition.key, row.definition.version, row.status, row.started_by,
                            row.event_seq, [TaskView.of(t) for t in tasks])


def _require_object(data: Any) -> None:
    if not isinstance(data, dict):
        raise InvalidInput("data must be a JSON object")
