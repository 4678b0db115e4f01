"""Retiring a process or one version (no new instances; running ones go on), bringing it back,
and which version of each process new instances start from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Select, Table, bindparam, delete, select
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.errors import Forbidden, N_, NotFound
from engine.definitions.service import DefinitionService
from engine.models import ProcessDefinition, ProcessInstance, RetiredProcess
from engine.persistence import Database
from engine.users import groups_of

DEFINITIONS = cast(Table, ProcessDefinition.__table__)
RETIRED_PROCESSES = cast(Table, RetiredProcess.__table__)
INSTANCES = cast(Table, ProcessInstance.__table__)


def startable_versions() -> Select[Any]:
    """(key, id, version) of every version a new instance may start from: executable, not retired,
    of a process not retired; the newest of each key is the one that starts."""
    retired_keys = select(RETIRED_PROCESSES.c.key)
    return (select(DEFINITIONS.c.key, DEFINITIONS.c.id, DEFINITIONS.c.version)
            .where(DEFINITIONS.c.executable.is_(True), DEFINITIONS.c.retired_at.is_(None),
                   DEFINITIONS.c.key.not_in(retired_keys))
            .order_by(DEFINITIONS.c.key, DEFINITIONS.c.version))


# The step's hot path: one statement, built once.
STARTABLE_DEFINITION = (startable_versions().where(DEFINITIONS.c.key == bindparam("b_key"))
                        .order_by(None).order_by(DEFINITIONS.c.version.desc()).limit(1)
                        .with_only_columns(DEFINITIONS.c.id))


def not_startable(conn: Connection | Session, key: str) -> NotFound:
    """Why no new instance of `key` can start, as the refusal the person who tried reads in their language."""
    if conn.execute(select(RETIRED_PROCESSES.c.key).where(RETIRED_PROCESSES.c.key == key)).first() is not None:
        return NotFound(N_("process '%(key)s' is retired: no new instances (an owner can bring it back)"), key=key)
    versions = conn.execute(select(DEFINITIONS.c.executable, DEFINITIONS.c.retired_at)
                            .where(DEFINITIONS.c.key == key)).all()
    if not versions:
        return NotFound(N_("no process '%(key)s' is deployed"), key=key)
    if not any(executable for executable, _ in versions):
        return NotFound(N_("process '%(key)s' is a view-only model: it cannot run until it deploys as an executable "
                           "version"), key=key)
    return NotFound(N_("every version of process '%(key)s' is retired: no new instances (an owner can bring one "
                       "back)"), key=key)


def not_startable_reason(conn: Connection | Session, key: str) -> str:
    """Why no new instance of `key` can start, in English words (logs, the command line, retired_reason)."""
    return str(not_startable(conn, key))


def retired_reason(conn: Connection | Session, key: str) -> str | None:
    """Why `key` takes no new instance when an owner retired it (the whole process, or every executable
    version), or None: startable, never deployed on its own, or only a view-only model."""
    reason = not_startable_reason(conn, key)
    return reason if "retired" in reason else None


def startable_ids(conn: Connection | Session) -> dict[str, int]:
    """The version new instances of each process start from, by key, in one statement."""
    return {key: definition_id for key, definition_id, _version in conn.execute(startable_versions())}


@dataclass(frozen=True)
class BrokenVersion:
    """A stored version in use (new instances start from it, or instances run on it) that does not load."""

    key: str
    version: int
    id: int
    error: str


@dataclass(frozen=True)
class Retirement:
    key: str
    by: str
    at: datetime


class DefinitionLifecycle:
    def __init__(self, db: Database, clock: Clock, definitions: DefinitionService):
        self.db = db
        self.clock = clock
        self.definitions = definitions

    def broken(self) -> list[BrokenVersion]:
        """Every version in use that does not load: what owners must retire or fix, and what /healthz reports."""
        running = select(INSTANCES.c.definition_id).where(INSTANCES.c.status == "running").distinct()
        with self.db.unit_of_work(write=False) as session:
            in_use = set(startable_ids(session).values()) | set(session.scalars(running))
            rows = session.execute(select(DEFINITIONS.c.id, DEFINITIONS.c.key, DEFINITIONS.c.version)
                                   .where(DEFINITIONS.c.id.in_(in_use), DEFINITIONS.c.executable.is_(True))
                                   .order_by(DEFINITIONS.c.key, DEFINITIONS.c.version)).all()
        found = []
        for definition_id, key, version in rows:
            error = self.definitions.load_error(definition_id)
            if error is not None:
                found.append(BrokenVersion(key, version, definition_id, error))
        return found

    def set_retired(self, key: str, version: int | None, retired: bool, actor: str) -> bool:
        """Retire `key` (or that one version: no new instances; running ones go on), or bring it back; only a
        process owner may (Forbidden otherwise, whichever way it is asked: CLI, API, page).
        Returns False when it already was so (nothing changed)."""
        now = self.clock.now()
        with self.db.unit_of_work() as session:
            if "process_owner" not in groups_of(session, actor):
                raise Forbidden(N_("only process owners retire and restore processes"))
            if version is None:
                _require_process(session, key)
                current = session.get(RetiredProcess, key)
                if (current is not None) == retired:
                    return False
                if retired:
                    session.add(RetiredProcess(key=key, retired_by=actor, retired_at=now))
                else:
                    session.execute(delete(RetiredProcess).where(RetiredProcess.key == key))
                return True
            definition = _require_version(session, key, version)
            if (definition.retired_at is not None) == retired:
                return False
            definition.retired_at, definition.retired_by = (now, actor) if retired else (None, None)
            return True

    def retired_processes(self) -> dict[str, Retirement]:
        with self.db.unit_of_work(write=False) as session:
            return {r.key: Retirement(r.key, r.retired_by, r.retired_at)
                    for r in session.scalars(select(RetiredProcess))}

    def startable_ids(self) -> dict[str, int]:
        with self.db.unit_of_work(write=False) as session:
            return startable_ids(session)


def _require_process(session: Session, key: str) -> None:
    if session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == key).limit(1)) is None:
        raise NotFound(N_("no process '%(key)s' is deployed"), key=key)


def _require_version(session: Session, key: str, version: int) -> ProcessDefinition:
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                                ProcessDefinition.version == version))
    if definition is None:
        raise NotFound(N_("process '%(key)s' has no version %(version)s"), key=key, version=version)
    return definition
