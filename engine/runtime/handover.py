"""Reassign, release, delegate: who works a task changes hands, each change an input event replay repeats.

A group's head (member of `<group>_head`) or an administrator reassigns a task of the group to one of
its members, or releases another user's claim; whoever holds a task may delegate it to a colleague
of the task's group. The inbox row changes in the same transaction as the event.

Absence (R-3.1 leave, told by the injected `AbsencePolicy`): nobody absent by the engine clock is given a task;
when an absence begins, the tasks its person held go back to their groups (`release_for_absence`, an input event
each instance replays) and when it ends early the ones nobody took since come back (`restore_after_absence`);
a group whose members are all absent is its head's to work (`unattended`, and the head may take a task over).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from engine.access import ADMIN, RESERVED_GROUPS
from engine.runtime.absence import Absence, AbsencePolicy, all_absent_groups, group_members
from engine.errors import Conflict, Forbidden, InvalidInput, N_, NotFound
from engine.history.eventlog import INPUT, chain_event
from engine.runtime.service import Runtime
from engine.runtime.store import EVENTS, HUMAN_TASKS, InstanceRecord, InstanceStore, TaskView, task_view
from engine.users import groups_of

HEAD_SUFFIX = "_head"
# The events by which a person came to hold a task (rather than the process routing it to them).
HANDED_TO_A_PERSON = ("task_claimed", "task_reassigned", "task_delegated")


@dataclass(frozen=True)
class UnattendedGroup:
    """A group whose members are all absent (R-3.1): its open tasks wait for its head."""

    group: str
    absences: list[Absence]
    tasks: list[TaskView]


@dataclass(frozen=True)
class Covering:
    """Someone away who named this person to cover their work (R-3.1), and the tasks handed over when the
    leave began that the cover still holds."""

    absence: Absence
    tasks: list[TaskView]


def head_group(task: TaskView) -> str | None:
    return None if task.candidate_group is None else task.candidate_group + HEAD_SUFFIX


def may_hand_over(actor_groups: set[str], task: TaskView) -> bool:
    """Reassign and release: the head of the task's group, or an administrator."""
    return ADMIN in actor_groups or (head_group(task) or ADMIN) in actor_groups


class TaskHandover:
    def __init__(self, runtime: Runtime, absences: AbsencePolicy):
        self.runtime = runtime
        self.absences = absences

    def team_tasks(self, groups: set[str] | None) -> list[TaskView]:
        """Ready tasks of these groups (every task for None: administrators), claimed ones first."""
        query = select(HUMAN_TASKS).order_by(HUMAN_TASKS.c.assignee.is_(None), HUMAN_TASKS.c.created_at)
        if groups is not None:
            query = query.where(HUMAN_TASKS.c.candidate_group.in_(sorted(groups)))
        with self.runtime.db.unit_of_work(write=False) as session:
            return [task_view(row) for row in session.execute(query.limit(500))]

    def named_by_process(self, tasks: list[TaskView]) -> set[str]:
        """Ids of those `tasks` the process gave a person by name (an `assignee` property: their own leave to
        cancel, an archive they borrowed to return) who is still active: nobody else may be handed them."""
        held = [t for t in tasks if t.assignee]
        if not held:
            return set()
        with self.runtime.db.unit_of_work(write=False) as session:
            conn = session.connection()
            return {t.id for t in held if _named_by_process(conn, t)}

    def members(self, group: str) -> list[str]:
        """Active members of a group who may be given its tasks: not those absent on leave now (R-3.1)."""
        with self.runtime.db.unit_of_work(write=False) as session:
            names = group_members(session, group)
            absent = self.absences.absent(session, self.runtime.clock.now(), names)
        return [name for name in names if name not in absent]

    def absence(self, username: str) -> Absence | None:
        """The approved leave `username` is on now, if any (R-3.1)."""
        with self.runtime.db.unit_of_work(write=False) as session:
            return self.absences.absent(session, self.runtime.clock.now(), [username]).get(username)

    def unattended(self, groups: set[str]) -> list[UnattendedGroup]:
        """Of `groups`, those whose members are all absent now, with their open tasks (R-3.1)."""
        with self.runtime.db.unit_of_work(write=False) as session:
            found = all_absent_groups(self.absences, session, groups, self.runtime.clock.now())
        return [UnattendedGroup(group, absences, self.team_tasks({group})) for group, absences in found.items()]

    def covering(self, username: str) -> list[Covering]:
        """Whom `username` covers for now, each with the tasks handed to them when that leave began (R-3.1)."""
        with self.runtime.db.unit_of_work(write=False) as session:
            away = sorted((a for a in self.absences.absent(session, self.runtime.clock.now()).values()
                           if a.cover == username), key=lambda a: a.username)
            if not away:
                return []
            rows = session.execute(
                select(HUMAN_TASKS, EVENTS.c.actor.label("handed_by"), EVENTS.c.payload.label("handed_with"))
                .join(EVENTS, EVENTS.c.task_id == HUMAN_TASKS.c.id)
                .where(HUMAN_TASKS.c.assignee == username, EVENTS.c.type == "task_reassigned",
                       EVENTS.c.actor.in_([a.username for a in away]))
                .order_by(HUMAN_TASKS.c.created_at, HUMAN_TASKS.c.id)).all()
        handed: dict[str, dict[str, TaskView]] = {a.username: {} for a in away}
        leave_of = {a.username: a.leave_id for a in away}
        for row in rows:
            payload = _payload(row.handed_with)
            if payload.get("reason") == "leave" and payload.get("leave_id") == leave_of[row.handed_by]:
                handed[row.handed_by][row.id] = task_view(row)
        return [Covering(a, list(handed[a.username].values())) for a in away]

    def reassign(self, task_id: str, to: str, actor: str) -> TaskView:
        def change(store: InstanceStore, human: TaskView, actor_groups: set[str]) -> tuple[str, dict[str, str]]:
            if not may_hand_over(actor_groups, human):
                raise Forbidden(N_("only the head of %(group)s or an administrator may reassign this task"),
                                group=human.candidate_group or [N_("the group")])
            _refuse_if_named_by_process(store.conn, human)
            self._check_eligible(store, human, to, self.runtime.clock.now())
            return "task_reassigned", {"from": human.assignee or "", "to": to}
        return self._hand_over(task_id, actor, change, lambda human: to)

    def release(self, task_id: str, actor: str) -> TaskView:
        def change(store: InstanceStore, human: TaskView, actor_groups: set[str]) -> tuple[str, dict[str, str]]:
            if not may_hand_over(actor_groups, human):
                raise Forbidden(N_("only the head of %(group)s or an administrator may release another user's claim"),
                                group=human.candidate_group or [N_("the group")])
            if human.assignee is None:
                raise Conflict(N_("task '%(title)s' is not claimed"), title=human.title)
            _refuse_if_named_by_process(store.conn, human)
            return "task_released", {"from": human.assignee}
        return self._hand_over(task_id, actor, change, lambda human: None)

    def delegate(self, task_id: str, to: str, actor: str) -> TaskView:
        def change(store: InstanceStore, human: TaskView, actor_groups: set[str]) -> tuple[str, dict[str, str]]:
            if human.assignee != actor:
                raise Forbidden(N_("claim the task first: only who holds a task delegates it"))
            if to == actor:
                raise InvalidInput(N_("choose a colleague, not yourself"), {"to": ["that is you"]})
            self._check_eligible(store, human, to, self.runtime.clock.now())
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
                raise Conflict(N_("task %(task)s is no longer ready"), task=task_id)
            if record.status != "running":
                raise Conflict(N_("instance %(instance)s is %(status)s"), instance=record.id, status=[record.status])
            type_, payload = change(store, human, actor_groups)  # type: ignore[operator]
            human = replace(human, assignee=new_assignee(human))  # type: ignore[operator]
            version = runtime._record_claim(store, record, human, type_, actor, payload)
        runtime.warm.rekey(record.id, version, record.lock_version)
        return human

    def _check_eligible(self, store: InstanceStore, task: TaskView, to: str, now: datetime) -> None:
        try:
            groups = groups_of(store.conn, to)
        except NotFound:
            raise InvalidInput(N_("there is no active user '%(user)s'"), {"to": ["no such active user"]},
                               user=to) from None
        absence = self.absences.absent(store.conn, now, [to]).get(to)
        if absence is not None:
            raise InvalidInput(N_("%(user)s is on leave until %(day)s (R-3.1): choose someone who is at work"),
                               {"to": [f"on leave until {absence.last_day.isoformat()}"]}, user=to,
                               day=absence.last_day.isoformat())
        group = task.candidate_group
        if group is not None and group not in groups and group + HEAD_SUFFIX in groups \
                and all_absent_groups(self.absences, store.conn, {group}, now):
            return  # every member is absent: the head takes the task over (R-3.1)
        if task.candidate_group is not None and task.candidate_group not in groups:
            raise InvalidInput(N_("%(user)s is not in group '%(group)s' of task '%(title)s'"),
                               {"to": [f"not in group {task.candidate_group}"]}, user=to, group=task.candidate_group,
                               title=task.title)
        if task.candidate_group is None and not groups - RESERVED_GROUPS:
            raise InvalidInput(N_("%(user)s works no tasks (no staff group)"), {"to": ["not staff"]}, user=to)


def _named_by_process(conn: Connection, task: TaskView, holder_active: bool | None = None) -> bool:
    """Did the process give `task` to its holder by name (nobody claimed, reassigned or delegated it since), and is
    that person still active? A deactivated holder's task may go to someone else, or nobody could ever work it."""
    if not task.assignee:
        return False
    handed = conn.execute(select(EVENTS.c.id).where(EVENTS.c.task_id == task.id,
                                                    EVENTS.c.type.in_(HANDED_TO_A_PERSON)).limit(1)).first()
    if handed is not None:
        return False
    if holder_active is not None:  # the caller knows (someone going on leave is active)
        return holder_active
    try:
        groups_of(conn, task.assignee)
    except NotFound:
        return False
    return True


def _refuse_if_named_by_process(conn: Connection, task: TaskView) -> None:
    if _named_by_process(conn, task):
        raise Forbidden(N_("the process gave task '%(title)s' to %(user)s by name (it is theirs to do, such as their "
                           "own leave or a loan of theirs): nobody else may be given it"), title=task.title,
                        user=task.assignee)


def release_for_absence(conn: Connection, username: str, now: datetime, leave: dict[str, Any],
                        skip_instance: str | None = None, cover: str = "",
                        absences: AbsencePolicy | None = None) -> list[TaskView]:
    """R-3.1: the leave of `username` begins: every task they claimed (or were given by a person) goes to
    `cover`, the colleague they named, when the cover may hold it (active, in the task's group, not away
    themselves by `absences`), and otherwise back to its group, unclaimed. A task the process itself routed
    to them by name stays theirs: nobody else may work it. Each change is an input event of its own instance
    (`task_reassigned` to the cover, `task_released` to the group; replay repeats it), written in the
    caller's transaction (the leave process's step), instance rows locked one by one. Returns the tasks
    as they are now (`assignee` the cover, or None)."""
    store = InstanceStore(conn, lock_rows=conn.dialect.name == "postgresql")
    held = [task_view(row) for row in conn.execute(
        select(HUMAN_TASKS).where(HUMAN_TASKS.c.assignee == username)
        .order_by(HUMAN_TASKS.c.instance_id, HUMAN_TASKS.c.created_at, HUMAN_TASKS.c.id))]
    cover_groups = _groups_at_work(conn, cover, now, absences) if cover and cover != username else set()
    moved = []
    for task in held:
        if task.instance_id == skip_instance:
            continue
        record = store.lock_instance(task.instance_id)
        current = store.human_task(task.id)
        if record is None or record.status != "running" or current is None or current.assignee != username:
            continue
        if _named_by_process(conn, current, holder_active=True):
            continue  # routed to them by the process (an `assignee` property), never claimed
        group = current.candidate_group
        to = cover if (group in cover_groups if group is not None else bool(cover_groups - RESERVED_GROUPS)) else None
        type_, payload = (("task_reassigned", {"from": username, "to": to, "reason": "leave", **leave}) if to
                          else ("task_released", {"from": username, "reason": "leave", **leave}))
        event = chain_event(record, now, INPUT, type_, payload, actor=username, task_id=task.id,
                            task_spec=task.task_spec)
        store.set_assignee(task.id, to)
        record.updated_at = now
        store.save_instance(record)
        store.insert_events([event])
        moved.append(replace(current, assignee=to))
    return moved


def _groups_at_work(conn: Connection, username: str, now: datetime, absences: AbsencePolicy | None) -> set[str]:
    """The groups of `username` if they are active and not away at `now`; otherwise none."""
    try:
        groups = groups_of(conn, username)
    except NotFound:
        return set()
    return set() if absences is not None and absences.absent(conn, now, [username]) else groups


def restore_after_absence(conn: Connection, username: str, now: datetime, leave: dict[str, Any]) -> list[TaskView]:
    """An absence ended early (cancelled or shortened, R-3.1): each task that went away when it began (a
    `task_released` or `task_reassigned` event of `username` naming `leave['leave_id']`) and that is still
    ready comes back to `username` when nobody took it since: still unclaimed in its group, or still with
    the cover, untouched since it was handed to them. Each is a `task_reassigned` input event of its own
    instance (replay repeats it); a task a colleague took, or the cover passed on or gave back, stays put."""
    store = InstanceStore(conn, lock_rows=conn.dialect.name == "postgresql")
    gone = conn.execute(select(EVENTS.c.id, EVENTS.c.type, EVENTS.c.task_id, EVENTS.c.payload).where(
        EVENTS.c.type.in_(("task_released", "task_reassigned")), EVENTS.c.actor == username).order_by(EVENTS.c.id))
    went: dict[str, tuple[int, str]] = {}  # task -> the event that took it away, and who has it since ("" the group)
    for row in gone:
        payload = _payload(row.payload)
        if payload.get("leave_id") == leave["leave_id"] and payload.get("reason") == "leave":
            went.setdefault(row.task_id, (row.id, str(payload.get("to") or "") if row.type == "task_reassigned"
                                          else ""))
    restored = []
    for task_id, (event_id, holder) in went.items():
        current = store.human_task(task_id)
        if current is None or (current.assignee or "") != holder:
            continue  # done, or taken by someone else meanwhile: it stays theirs
        record = store.lock_instance(current.instance_id)
        current = store.human_task(task_id)
        if record is None or record.status != "running" or current is None or (current.assignee or "") != holder:
            continue
        if holder and conn.execute(select(EVENTS.c.id).where(EVENTS.c.task_id == task_id, EVENTS.c.id > event_id)
                                   .limit(1)).first() is not None:
            continue  # the cover has done something with it since (passed it on, gave it back and took it again)
        event = chain_event(record, now, INPUT, "task_reassigned",
                            {"from": holder, "to": username, "reason": "back from leave", **leave},
                            actor=username, task_id=task_id, task_spec=current.task_spec)
        store.set_assignee(task_id, username)
        record.updated_at = now
        store.save_instance(record)
        store.insert_events([event])
        restored.append(replace(current, assignee=username))
    return restored


def _payload(value: Any) -> dict[str, Any]:
    found = json.loads(value) if isinstance(value, str) else value
    return found if isinstance(found, dict) else {}
