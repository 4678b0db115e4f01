"""Read-side queries for the staff pages: inbox rows, instance lists, history pages (one instance's facts and the
task at hand: engine/runtime/instance_reads.py)."""
from __future__ import annotations

import json
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import ColumnElement, Connection, and_, false, or_, select
from sqlalchemy.orm import Session

from engine.access import SEES_EVERY_INSTANCE, Actor
from engine.definitions.lifecycle import STARTABLE_DEFINITION, not_startable, startable_ids
from engine.errors import InvalidInput, N_, NotFound
from engine.runtime.finished import FinishedTask, finished_task
from engine.runtime.prepared import Prepared
from engine.runtime.references import REFERENCES, references_of
from engine.runtime.store import HUMAN_TASKS, TaskView, task_view
from engine.models import InstanceEvent, InstanceParticipant, ProcessDefinition, ProcessInstance
from engine.persistence import Database
from engine.runtime.absence import Absence, AbsencePolicy, NobodyAbsent
# One instance and the task at hand are read there; their names are at hand here too, for the pages and the API.
from engine.runtime.instance_reads import (InstanceDetail, InstanceOutline, InstanceRow, TaskAtHand, instance_detail,
                                           instance_outline, ready_task, task_at_hand)
from engine.users import groups_of

# Case numbers start with the business type's class prefix.
BUSINESS_TYPE_PREFIXES = {"sales": "XS", "procurement": "CG", "finance": "CW", "general": "ZH"}
INBOX_SCOPES = ("all", "mine", "groups")
DUE_FILTERS = ("overdue", "soon", "dated", "undated")
INBOX_SORTS = ("due", "oldest", "newest", "process")
INSTANCE_STATUSES = ("running", "completed", "cancelled", "failed")
SOON = timedelta(hours=24)
# An inbox shows this many tasks at a time (filters and sorting narrow it); a group may hold thousands.
INBOX_PAGE = 100
Reading = Callable[[], AbstractContextManager[Connection]]  # a read connection to run statements on
_STARTABLE = Prepared(STARTABLE_DEFINITION)  # every API start asks first
MAX_INBOX_PAGE = 500


@dataclass(frozen=True)
class InboxRow:
    task: TaskView
    business_key: str | None
    started_by: str
    due_at: datetime | None
    overdue: bool

    @property
    def business_type(self) -> str | None:
        return business_type_of(self.business_key)


@dataclass(frozen=True)
class InboxQuery:
    scope: str = "all"
    process: str | None = None
    business_type: str | None = None
    due: str | None = None
    sort: str = "due"
    limit: int = INBOX_PAGE

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_INBOX_PAGE:
            raise InvalidInput(N_("limit must be between 1 and %(limit)s"), {"limit": [str(self.limit)]},
                               limit=MAX_INBOX_PAGE)
        for name, value, allowed in (("scope", self.scope, INBOX_SCOPES), ("sort", self.sort, INBOX_SORTS),
                                     ("due", self.due, (None, *DUE_FILTERS)),
                                     ("business_type", self.business_type, (None, *BUSINESS_TYPE_PREFIXES))):
            if value not in allowed:
                raise InvalidInput(N_("%(name)s must be one of %(allowed)s"), {name: [f"unknown value {value!r}"]},
                                   name=name, allowed=", ".join(str(a) for a in allowed if a))


def business_type_of(business_key: str | None) -> str | None:
    if not business_key:
        return None
    prefix = business_key.split("-", 1)[0]
    return next((kind for kind, p in BUSINESS_TYPE_PREFIXES.items() if p == prefix), None)


def offered_tasks(username: str, groups: Iterable[str], ungrouped: bool,
                  away: bool) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The ready tasks a person may take up, as (named theirs, unclaimed in their `groups`, and with no group
    when `ungrouped`). Someone away (R-3.1) is offered no group task: only what is named theirs."""
    ht = HUMAN_TASKS.c
    mine = ht.assignee == username
    if away:
        return mine, false()
    return mine, and_(ht.assignee.is_(None), or_(ht.candidate_group.in_(sorted(set(groups))),
                                                  ht.candidate_group.is_(None) if ungrouped else false()))


def tasks_offered(session: Session, username: str, absences: AbsencePolicy, now: datetime,
                  instance_id: str | None = None) -> list[TaskView]:
    """Every ready task `username` may take up (of one instance), oldest first: the API's and the CLI's list."""
    groups = groups_of(session, username)
    away = bool(absences.absent(session, now, [username]))
    mine, offered = offered_tasks(username, groups, True, away)
    query = select(HUMAN_TASKS).where(or_(mine, offered)).order_by(HUMAN_TASKS.c.created_at, HUMAN_TASKS.c.id)
    if instance_id is not None:
        query = query.where(HUMAN_TASKS.c.instance_id == instance_id)
    return [task_view(row) for row in session.execute(query)]


def inbox(session: Session, actor: Actor, query: InboxQuery, now: datetime, away: bool = False) -> list[InboxRow]:
    """The ready tasks `actor` may work: claimed by them (`mine`) and unclaimed in their groups (`groups`;
    none while `away`), at most `query.limit` of them. The page is chosen on the task table alone; only its
    rows meet their instances, so the cost is the page's, not the number of instances."""
    ht, inst = HUMAN_TASKS.c, ProcessInstance
    mine, groups = offered_tasks(actor.username, actor.staff_groups, bool(actor.staff_groups), away)
    scope = {"mine": mine, "groups": groups, "all": or_(mine, groups)}[query.scope]
    page = select(HUMAN_TASKS).where(scope)
    if query.process:
        page = page.where(ht.process_key == query.process)
    if query.business_type:
        prefix = f"{BUSINESS_TYPE_PREFIXES[query.business_type]}-%"
        page = page.where(select(inst.id).where(inst.id == ht.instance_id, inst.business_key.like(prefix)).exists())
    if query.due is not None:
        page = page.where(_due_condition(ht.due_at, query.due, now))
    tasks = page.order_by(*_inbox_order(ht, query.sort)).limit(query.limit).subquery()
    statement = (select(tasks, inst.business_key, inst.started_by).join(inst, inst.id == tasks.c.instance_id)
                 .order_by(*_inbox_order(tasks.c, query.sort)))
    rows = []
    for row in session.execute(statement):
        task = task_view(row)
        rows.append(InboxRow(task, row.business_key, row.started_by, task.due_at,
                             task.due_at is not None and task.due_at < now))
    return rows


def _due_condition(due: Any, kind: str, now: datetime) -> ColumnElement[bool]:
    return {
        "overdue": due < now,
        "soon": and_(due >= now, due < now + SOON),
        "dated": due.is_not(None),
        "undated": due.is_(None),
    }[kind]


def _inbox_order(columns: Any, sort: str) -> list[Any]:
    created, due = columns.created_at, columns.due_at
    if sort == "newest":
        return [created.desc(), columns.id]
    if sort == "process":
        return [columns.process_key, created, columns.id]
    if sort == "due":
        # Undated tasks after dated ones on every database (PostgreSQL puts NULLs last only ascending).
        return [due.is_(None), due, created, columns.id]
    return [created, columns.id]


@dataclass(frozen=True)
class InstanceQuery:
    status: str | None = None
    process: str | None = None
    case_number: str | None = None
    starter: str | None = None
    limit: int = 200

    def __post_init__(self) -> None:
        if self.status not in (None, *INSTANCE_STATUSES):
            raise InvalidInput(N_("status must be one of %(allowed)s"), {"status": [f"unknown value {self.status!r}"]},
                               allowed=", ".join(INSTANCE_STATUSES))


def sees_every_instance(actor: Actor) -> bool:
    return bool(actor.groups & SEES_EVERY_INSTANCE)


def list_instances(session: Session, actor: Actor, query: InstanceQuery) -> list[InstanceRow]:
    """Newest first, only the instances `actor` may see (the same rule as `access.may_see_instance`)."""
    inst, definition = ProcessInstance, ProcessDefinition
    # The columns a list shows, not the rows: the state stays where it is.
    statement = (select(inst.id, inst.status, inst.business_key, inst.started_by, inst.created_at, inst.updated_at,
                        inst.completed_at, definition.key, definition.name, definition.version, REFERENCES.c.reference)
                 .join(definition, definition.id == inst.definition_id)
                 .outerjoin(REFERENCES, REFERENCES.c.instance_id == inst.id)
                 .order_by(inst.created_at.desc(), inst.id).limit(query.limit))
    filters: list[ColumnElement[bool]] = []
    if query.status:
        filters.append(inst.status == query.status)
    if query.process:
        filters.append(inst.definition_id.in_(select(definition.id).where(definition.key == query.process)))
    if query.case_number:
        filters.append(inst.business_key.contains(query.case_number.strip(), autoescape=True))
    if query.starter:
        filters.append(inst.started_by == query.starter.strip())
    if sees_every_instance(actor):
        statement = statement.where(*filters)
    else:
        acted = select(InstanceParticipant.instance_id).where(InstanceParticipant.username == actor.username)
        waiting = select(HUMAN_TASKS.c.instance_id).where(or_(
            HUMAN_TASKS.c.assignee == actor.username,
            HUMAN_TASKS.c.assignee.is_(None) & HUMAN_TASKS.c.candidate_group.in_(sorted(actor.staff_groups))))
        # The page's ids first, newest first, from the creation index alone (it carries the starter on
        # PostgreSQL); only those rows are read whole.
        page = (select(inst.id)
                .where(or_(inst.started_by == actor.username, inst.id.in_(acted), inst.id.in_(waiting)), *filters)
                .order_by(inst.created_at.desc(), inst.id).limit(query.limit).subquery())
        statement = statement.join(page, page.c.id == inst.id)
    return [InstanceRow(row.id, row.key, row.name or row.key, row.version, row.status, row.business_key,
                        row.started_by, row.created_at, row.updated_at, row.completed_at, row.reference)
            for row in session.execute(statement)]


def event_payload(event: InstanceEvent) -> dict[str, Any]:
    value = json.loads(event.payload)
    return value if isinstance(value, dict) else {}


def history_page(session: Session, instance_id: str, after: int = 0, limit: int | None = None) -> list[InstanceEvent]:
    """Events with `seq` > `after`, oldest first, at most `limit` (an index range scan: cost by page, not age)."""
    statement = (select(InstanceEvent).where(InstanceEvent.instance_id == instance_id, InstanceEvent.seq > after)
                 .order_by(InstanceEvent.seq))
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def process_keys(session: Session) -> list[tuple[str, str]]:
    """(key, display name of the newest version) of every deployed process."""
    rows: Sequence[Any] = session.execute(
        select(ProcessDefinition.key, ProcessDefinition.name, ProcessDefinition.version)
        .order_by(ProcessDefinition.key, ProcessDefinition.version)).all()
    names = {key: name or key for key, name, _ in rows}
    return sorted(names.items())


@dataclass(frozen=True)
class Inbox:
    rows: list[InboxRow]
    absence: Absence | None  # the reader's own leave under way: then `rows` are only what is theirs


class ReadModel:
    """The read queries above, each in its own read-only unit of work; who is away is asked of the absence
    policy the composition root injects (as into the runtime). The one-statement reads of the API's hot path
    run on `reading()`: by default a connection each, or one the caller shares between them (the API shares
    one per request on PostgreSQL)."""

    def __init__(self, db: Database, absences: AbsencePolicy | None = None, reading: Reading | None = None):
        self.db = db
        self.absences: AbsencePolicy = absences if absences is not None else NobodyAbsent()
        self._reading: Reading = reading or db.reading

    def inbox(self, actor: Actor, query: InboxQuery, now: datetime) -> Inbox:
        with self.db.unit_of_work(write=False) as session:
            absence = (self.absences.absent(session, now, [actor.username]).get(actor.username)
                       if actor.staff_groups else None)
            return Inbox(inbox(session, actor, query, now, away=absence is not None), absence)

    def tasks_offered(self, username: str, now: datetime, instance_id: str | None = None) -> list[TaskView]:
        with self.db.unit_of_work(write=False) as session:
            return tasks_offered(session, username, self.absences, now, instance_id)

    def instances(self, actor: Actor, query: InstanceQuery) -> list[InstanceRow]:
        with self.db.unit_of_work(write=False) as session:
            return list_instances(session, actor, query)

    def instance(self, instance_id: str) -> InstanceDetail:
        with self._reading() as conn:
            return instance_detail(conn, instance_id)

    def outline(self, instance_id: str) -> InstanceOutline:
        with self._reading() as conn:
            return instance_outline(conn, instance_id)

    def references(self, instance_ids: set[str]) -> dict[str, str]:
        """The readable references of these instances (one statement; an instance without one is left out)."""
        with self._reading() as conn:
            return references_of(conn, instance_ids)

    def task_at_hand(self, task_id: str) -> TaskAtHand:
        with self._reading() as conn:
            return task_at_hand(conn, task_id)

    def history(self, instance_id: str, after: int = 0, limit: int | None = None) -> list[InstanceEvent]:
        """A page of the event log (all of it without `limit`: exports, replay pages)."""
        with self.db.unit_of_work(write=False) as session:
            events = history_page(session, instance_id, after, limit)
            session.expunge_all()  # events are read after the session closes
            return events

    def processes(self) -> list[tuple[str, str]]:
        with self.db.unit_of_work(write=False) as session:
            return process_keys(session)

    def latest_definition_ids(self) -> dict[str, int]:
        """The newest executable version of each process, retired or not (what history pages draw)."""
        with self.db.unit_of_work(write=False) as session:
            rows = session.execute(select(ProcessDefinition.key, ProcessDefinition.id)
                                   .where(ProcessDefinition.executable.is_(True))
                                   .order_by(ProcessDefinition.key, ProcessDefinition.version)).all()
            return {key: definition_id for key, definition_id in rows}

    def not_startable(self, key: str) -> NotFound:
        """Why no new instance of `key` can start (not deployed, retired, only a view-only model), as a refusal."""
        with self.db.unit_of_work(write=False) as session:
            return not_startable(session, key)

    def startable_definition_id(self, key: str) -> int | None:
        """The version new instances of `key` start from; None when none may start."""
        with self._reading() as conn:
            return _STARTABLE.scalar(conn, {"b_key": key})  # type: ignore[no-any-return]

    def startable_definition_ids(self) -> dict[str, int]:
        """The version new instances of each process start from (retired ones left out)."""
        with self.db.unit_of_work(write=False) as session:
            return startable_ids(session)

    def definition_files(self, definition_id: int) -> dict[str, bytes]:
        with self.db.unit_of_work(write=False) as session:
            definition = session.get(ProcessDefinition, definition_id)
            if definition is None:
                raise NotFound(N_("no process definition with id %(id)s"), id=definition_id)
            return {f.name: f.content for f in definition.files}

    def task(self, task_id: str) -> TaskView:
        """A ready user task; Conflict when it was ready once and no longer is."""
        with self._reading() as conn:
            return ready_task(conn, task_id)

    def finished_task(self, task_id: str) -> FinishedTask | None:
        """Who completed a task that is no longer ready, and when (or that it was withdrawn)."""
        with self.db.unit_of_work(write=False) as session:
            return finished_task(session, task_id)
