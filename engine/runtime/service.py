"""Runtime services: start instances, work user tasks, cancel — each one transaction."""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Callable, Iterator, Mapping

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from sqlalchemy import Connection, select

from handlers.context import HandlerRegistry

from engine.clock import Clock
from engine.config import WARM_INSTANCES
from engine.definitions.service import DefinitionService, LoadedDefinition
from engine.errors import Conflict, Forbidden, InvalidInput, N_, NotFound
from engine.history.eventlog import GENESIS, INPUT, chain_event
from engine.runtime.absence import AbsencePolicy, NobodyAbsent, OnLeave
from engine.runtime.readmodel import tasks_offered
from engine.runtime.references import assign_reference
from engine.runtime.store import (ACTOR_PARAM, HUMAN_TASKS, NOT_WARM, NOW_PARAM, InstanceRecord, InstanceStore,
                                  TaskView, task_reads, task_view)
from engine.definitions.lifecycle import not_startable
from engine.models import ProcessDefinition, ProcessInstance
from engine.persistence import Database
from engine.messaging.delivery import Mailroom
from engine.definitions.specinfo import starts_by_hand
from engine.messaging.subscriptions import starts_only_by_message
from engine.runtime.step import InstanceStep
from engine.runtime.step_write import StepWrite, write_step
from engine.messaging.signals import SignalPost, starts_only_by_signal
from engine.users import groups_of
from engine.runtime.state import StateCodec
from engine.runtime.summary import KnownSummary
from engine.runtime.warm import WarmWorkflows

FieldErrors = Callable[[dict[str, Any]], dict[str, list[str]]]
FormCompiler = Callable[[dict[str, Any]], FieldErrors]
# What the regulation does when an instance of a process is cancelled (R-6.1: a cancelled case is archived),
# by process key: called in the cancelling transaction with (conn, now, instance id, actor, reason); what it
# returns joins the cancellation event, so the history says where the records went.
CancelHook = Callable[[Connection, datetime, str, str, str], dict[str, Any]]


@dataclass(frozen=True)
class InstanceView:
    id: str
    process_key: str
    version: int
    status: str
    started_by: str
    events: int
    ready_tasks: list[TaskView]
    # Service tasks (by name) that failed in this step and now wait for a retry or an administrator.
    waiting_services: tuple[str, ...] = ()


class Runtime:
    def __init__(self, db: Database, definitions: DefinitionService, environment: BasePythonScriptEngineEnvironment,
                 handlers: HandlerRegistry, clock: Clock, compile_form: FormCompiler,
                 cancel_hooks: Mapping[str, CancelHook] | None = None, absences: AbsencePolicy | None = None,
                 warm_instances: int = WARM_INSTANCES):
        self.db = db
        # Who is away: an absent person takes no task from a group and is offered none.
        self.absences: AbsencePolicy = absences if absences is not None else NobodyAbsent()
        # Whether the actor is away is read with the task lock, in the same statement (built once): refusing
        # someone away costs a completion no round trip. A policy that cannot say it in SQL is asked instead.
        away = self.absences.absent_condition(ACTOR_PARAM, NOW_PARAM)
        self._task_reads = task_reads(away)
        self._asks_absence = away is None
        self.cancel_hooks = dict(cancel_hooks or {})
        self.definitions = definitions
        self.environment = environment
        self.handlers = handlers
        self.clock = clock
        self.compile_form = compile_form
        self._form_checkers: dict[tuple[int, str], FieldErrors] = {}
        self.codec = StateCodec()
        self.warm = WarmWorkflows(warm_instances)
        self.mailroom = Mailroom(self)
        self.signal_post = SignalPost(self)

    # -- services ---------------------------------------------------------------------------

    def start_instance(self, key: str, data: dict[str, Any], actor: str) -> InstanceView:
        _require_object(data)
        with self.db.transaction() as conn:
            definition_id = self._store(conn).latest_definition_id(key)
            if definition_id is None:
                raise not_startable(conn, key)
            definition = self.definitions.load(definition_id)
            messages = starts_only_by_message(definition.spec)
            if messages:
                raise Conflict(N_("'%(key)s' starts when message %(messages)s arrives: send the message (POST "
                                  "/api/v1/messages, casedesk message) instead of starting it"), key=key,
                               messages=" or ".join(map(repr, messages)))
            signals = starts_only_by_signal(definition.spec)
            if signals:
                raise Conflict(N_("'%(key)s' starts when signal %(signals)s is thrown by another process; it cannot be "
                                  "started by hand"), key=key, signals=" or ".join(map(repr, signals)))
            if not starts_by_hand(definition.spec):
                raise Conflict(N_("'%(key)s' starts on its own (its start event waits for a timer or a condition); "
                                  "it cannot be started by hand"), key=key)
            groups = groups_of(conn, actor)
            starters = start_groups(definition.spec)
            if starters and not starters & groups:
                raise Forbidden(N_("%(actor)s may not start '%(key)s': it is started by %(starters)s"), actor=actor,
                                key=key, starters=sorted(starters))
            step = self.new_instance_step(conn, definition, actor)
            step.record(INPUT, "instance_started", {"process": key, "version": definition.version, "data": data},
                        actor=actor)
            step.start(data, by_person=True)
            step.finish(is_new=True)
        return self._committed(step)

    def list_tasks(self, user: str | None = None, instance_id: str | None = None) -> list[TaskView]:
        """Ready user tasks: all, one instance's, or those `user` may take up (readmodel.tasks_offered)."""
        with self.db.unit_of_work(write=False) as session:
            if user is not None:
                return tasks_offered(session, user, self.absences, self.clock.now(), instance_id)
            query = select(HUMAN_TASKS).order_by(HUMAN_TASKS.c.created_at, HUMAN_TASKS.c.id)
            if instance_id is not None:
                query = query.where(HUMAN_TASKS.c.instance_id == instance_id)
            return [task_view(row) for row in session.execute(query)]

    def claim_task(self, task_id: str, actor: str) -> TaskView:
        with self._locked_task(task_id, actor, taking=True) as (store, record, human, _):
            if human.assignee == actor:
                return human
            if human.assignee is not None:
                raise Conflict(N_("task %(task)s is already claimed by %(user)s"), task=task_id, user=human.assignee)
            human = replace(human, assignee=actor)
            version = self._record_claim(store, record, human, "task_claimed", actor)
        self.warm.rekey(record.id, version, record.lock_version)
        return human

    def unclaim_task(self, task_id: str, actor: str) -> TaskView:
        with self._locked_task(task_id, actor) as (store, record, human, _):
            _require_claimer(human, actor)
            if human.assignee is None:
                raise Conflict(N_("task %(task)s is not claimed"), task=task_id)
            human = replace(human, assignee=None)
            version = self._record_claim(store, record, human, "task_unclaimed", actor)
        self.warm.rekey(record.id, version, record.lock_version)
        return human

    def complete_task(self, task_id: str, data: dict[str, Any], actor: str) -> InstanceView:
        _require_object(data)
        # Completing an unclaimed task takes it: refused to someone away, as a claim is.
        with self._locked_task(task_id, actor, taking=True, warm=True) as (store, record, human, summary):
            _require_claimer(human, actor)
            definition = self.definitions.load(record.definition_id)
            if human.form_file is not None:
                # A late-bound called process's task is checked against its own version's form.
                forms = self.definitions.load(human.forms_version(record.definition_id))
                errors = self._form_errors(forms, human.form_file, data)
                if errors:
                    raise InvalidInput(N_("the form has errors; nothing was saved"), errors)
            step = self._step(store.conn, record, definition, summary)
            task = step.task(task_id)
            # Completing an unclaimed task claims it on the way; the submission records that.
            step.record(INPUT, "task_submitted", {"data": data, "claimed_now": human.assignee is None},
                        actor=actor, task=task)
            step.complete_user_task(task, data, actor)
            step.finish()
        return self._committed(step)

    def cancel_instance(self, instance_id: str, actor: str, reason: str = "") -> InstanceView:
        with self.db.transaction() as conn:
            groups = groups_of(conn, actor)
            store = self._store(conn)
            # A failed instance can still be cancelled: that closes its incident.
            record = self._lock_instance(store, instance_id, also=("failed",))
            if "admin" not in groups and actor != record.started_by:
                raise Forbidden(N_("only an administrator or the starter may cancel an instance"))
            step = self._step(conn, record)
            payload: dict[str, Any] = {"reason": reason}
            hook = self.cancel_hooks.get(step.definition.key)
            if hook is not None:
                payload.update(hook(conn, step.now, record.id, actor, reason))
            step.record(INPUT, "instance_cancelled", payload, actor=actor)
            step.cancel()
            step.finish()
        return self._committed(step)

    def get_instance(self, instance_id: str) -> InstanceView:
        with self.db.unit_of_work(write=False) as session:
            row = session.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(N_("no instance %(instance)s"), instance=instance_id)
            tasks = session.execute(
                select(HUMAN_TASKS).where(HUMAN_TASKS.c.instance_id == row.id).order_by(HUMAN_TASKS.c.created_at))
            return InstanceView(row.id, row.definition.key, row.definition.version, row.status, row.started_by,
                                row.event_seq, [task_view(t) for t in tasks])

    def list_instances(self, status: str | None = None, process_key: str | None = None,
                       limit: int = 100) -> list[InstanceView]:
        """Newest first; ready tasks are left out (ask for one instance to see them)."""
        with self.db.unit_of_work(write=False) as session:
            query = (select(ProcessInstance, ProcessDefinition.key, ProcessDefinition.version)
                     .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
                     .order_by(ProcessInstance.created_at.desc(), ProcessInstance.id).limit(limit))
            if status is not None:
                query = query.where(ProcessInstance.status == status)
            if process_key is not None:
                query = query.where(ProcessDefinition.key == process_key)
            return [InstanceView(row.id, key, version, row.status, row.started_by, row.event_seq, [])
                    for row, key, version in session.execute(query)]

    # -- the job runner's way in (engine/jobs/runner.py) -------------------------------------------------

    def new_instance_step(self, conn: Connection, definition: LoadedDefinition, actor: str) -> InstanceStep:
        """A step on a new instance of `definition`; the caller records its start and finishes it."""
        now = self.clock.now()
        record = InstanceRecord(
            id=str(uuid.uuid4()), definition_id=definition.id, status="running", business_key=None,
            started_by=actor, state="", event_seq=0, event_head=GENESIS, lock_version=1,
            created_at=now, updated_at=now, completed_at=None,
        )
        assign_reference(conn, record.id, now)
        return self._step(conn, record, definition)

    def locked_step(self, conn: Connection, instance_id: str) -> InstanceStep:
        """A step on a running instance, its row locked for the caller's transaction."""
        return self._step(conn, self._lock_instance(self._store(conn), instance_id))

    def step_on_locked(self, conn: Connection, record: InstanceRecord) -> InstanceStep:
        """`locked_step` for a row the caller has just locked and read in this transaction (the job runner
        locks a group of instances in one statement)."""
        if record.status != "running":
            raise Conflict(N_("instance %(instance)s is %(status)s"), instance=record.id, status=[record.status])
        return self._step(conn, record)

    def committed(self, step: InstanceStep) -> InstanceView:
        return self._committed(step)

    # -- plumbing ---------------------------------------------------------------------------

    def _form_errors(self, definition: LoadedDefinition, form_file: str, data: dict[str, Any]) -> dict[str, list[str]]:
        key = (definition.id, form_file)
        checker = self._form_checkers.get(key)
        if checker is None:
            schema = definition.forms.get(form_file)
            if schema is None:
                raise NotFound(N_("form %(form)s is not part of this definition version"), form=form_file)
            checker = self._form_checkers.setdefault(key, self.compile_form(schema))
        return checker(data)

    def _store(self, conn: Connection) -> InstanceStore:
        return InstanceStore(conn, lock_rows=self.db.is_postgres, reads=self._task_reads)

    def _step(self, conn: Connection, record: InstanceRecord, definition: LoadedDefinition | None = None,
              summary: KnownSummary | None = None) -> InstanceStep:
        """A step on `record`, its workflow warm if this worker holds it at the row's version; `summary`: the
        instance's stored summary, if the caller read it (a warm one comes with the workflow)."""
        definition = definition or self.definitions.load(record.definition_id)
        warm = self.warm.take(record.id, record.lock_version)
        store = self._store(conn)
        if warm is None and record.state is None:  # read as warm, but another thread took it meanwhile
            record.state = store.instance_state(record.id)
        step = InstanceStep(store, record, definition, self.environment, self.handlers, self.codec,
                            self.clock.now(), warm=warm.workflow if warm else None, resolve=self.definitions.load,
                            summary=warm.summary if warm else summary)
        step.mailroom = self.mailroom
        step.signals = self.signal_post
        return step

    def _committed(self, step: InstanceStep) -> InstanceView:
        """Called once the step's transaction has committed: keep its workflow warm, answer."""
        if step.row.status == "running":
            self.warm.put(step.row.id, step.row.lock_version, step.workflow, step.summary,
                          tuple(task.id for task in step.ready))
        return self._view(step)

    @contextmanager
    def _locked_task(self, task_id: str, actor: str, taking: bool = False,
                     warm: bool = False) -> Iterator[tuple[InstanceStore, InstanceRecord, TaskView,
                                                           KnownSummary | None]]:
        """Lock the task and its instance (one statement) and check the actor's group may work it; `taking`
        an unclaimed task, that they are not away (R-3.1). With `warm`, the instance's state is left unread
        (None) when this process holds it warm at the row's version (`_step` takes it from there), and its
        stored summary comes along when it does not."""
        with self.db.transaction() as conn:
            store = self._store(conn)
            now = self.clock.now()
            held = self.warm.version_for_task(task_id) if warm else None
            found = store.lock_task(task_id, actor, now, NOT_WARM if warm and held is None else held)
            if found is None:
                groups_of(conn, actor)  # an unknown actor hears about themselves first
                raise self._missing_task(store, task_id)
            if not found.actor_known:
                raise NotFound(N_("no active user '%(user)s'"), user=actor)
            # On PostgreSQL the task row is locked too: after a wait it is as the other step left it.
            human, record = found.task, found.instance
            if record.status != "running":
                raise Conflict(N_("instance %(instance)s is %(status)s"), instance=record.id, status=[record.status])
            named = human.assignee == actor  # a task routed to a named user needs no group standing
            if human.candidate_group is not None and not found.actor_in_group and not named:
                raise Forbidden(N_("%(actor)s is not in group '%(group)s' of task '%(title)s'"), actor=actor,
                                group=human.candidate_group, title=human.title)
            if taking and human.assignee is None and (found.actor_absent or self._asks_absence):
                absence = self.absences.absent(conn, now, [actor]).get(actor)  # who and until when: refusals only
                if absence is not None:
                    raise OnLeave(absence)
            yield store, record, human, found.known_summary

    @staticmethod
    def _lock_instance(store: InstanceStore, instance_id: str, also: tuple[str, ...] = ()) -> InstanceRecord:
        record = store.lock_instance(instance_id)
        if record is None:
            raise NotFound(N_("no instance %(instance)s"), instance=instance_id)
        if record.status != "running" and record.status not in also:
            raise Conflict(N_("instance %(instance)s is %(status)s"), instance=instance_id, status=[record.status])
        return record

    @staticmethod
    def _missing_task(store: InstanceStore, task_id: str) -> Exception:
        if store.task_was_seen(task_id):
            return Conflict(N_("task %(task)s is no longer ready"), task=task_id)
        return NotFound(N_("no task %(task)s"), task=task_id)

    def _record_claim(self, store: InstanceStore, record: InstanceRecord, human: TaskView,
                      type_: str, actor: str, payload: dict[str, Any] | None = None) -> int:
        """Record a change of who holds a task (claim, unclaim, reassign, ...); returns the row version it started from."""
        version, now = record.lock_version, self.clock.now()
        event = chain_event(record, now, INPUT, type_, payload or {}, actor=actor, task_id=human.id,
                            task_spec=human.task_spec)
        record.updated_at = now
        write_step(store, StepWrite(record, is_new=False, events=[event], assign=(human.id, human.assignee)))
        return version

    @staticmethod
    def _view(step: InstanceStep) -> InstanceView:
        row = step.row
        return InstanceView(row.id, step.definition.key, step.definition.version, row.status, row.started_by,
                            row.event_seq, list(step.ready), tuple(step.parked))


def start_groups(spec: Any) -> set[str]:
    """Groups named by the lanes of the process's start events; empty when anyone may start it."""
    return {event.lane for event in getattr(spec, "bpmn_start_events", []) if getattr(event, "lane", None)}


def _require_claimer(human: TaskView, actor: str) -> None:
    if human.assignee is not None and human.assignee != actor:
        raise Forbidden(N_("task '%(title)s' is claimed by %(user)s"), title=human.title, user=human.assignee)


def _require_object(data: Any) -> None:
    if not isinstance(data, dict):
        raise InvalidInput(N_("data must be a JSON object"))
