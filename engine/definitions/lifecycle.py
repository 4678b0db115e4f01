"""Retiring a process or one version (no new instances; running ones go on), bringing it back,
and which version of each process new instances start from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, delete, select
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.errors import Conflict, NotFound
from engine.models import ProcessDefinition, RetiredProcess
from engine.persistence import Database

DEFINITIONS = cast(Table, ProcessDefinition.__table__)
RETIRED_PROCESSES = cast(Table, RetiredProcess.__table__)


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


def startable_ids(session: Session) -> dict[str, int]:
    """The version new instances of each process start from, by key."""
    return {key: definition_id for key, definition_id, _version in session.execute(startable_versions())}


@dataclass(frozen=True)
class Retirement:
    key: str
    version: int | None  # None: the whole process
    by: str
    at: datetime


class DefinitionLifecycle:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    def retire(self, key: str, version: int | None, actor: str) -> Retirement:
        """No new instances of `key` (or of that one version); running instances go on."""
        now = self.clock.now()
        with self.db.unit_of_work() as session:
            if version is None:
                _require_process(session, key)
                if session.get(RetiredProcess, key) is not None:
                    raise Conflict(f"process {key!r} is already retired")
                session.add(RetiredProcess(key=key, retired_by=actor, retired_at=now))
            else:
                definition = _require_version(session, key, version)
                if definition.retired_at is not None:
                    raise Conflict(f"version {version} of {key!r} is already retired")
                definition.retired_at, definition.retired_by = now, actor
        return Retirement(key, version, actor, now)

    def restore(self, key: str, version: int | None, actor: str) -> None:
        """Bring a retired process (or version) back: new instances may start from it again."""
        with self.db.unit_of_work() as session:
            if version is None:
                _require_process(session, key)
                if session.get(RetiredProcess, key) is None:
                    raise Conflict(f"process {key!r} is not retired")
                session.execute(delete(RetiredProcess).where(RetiredProcess.key == key))
            else:
                definition = _require_version(session, key, version)
                if definition.retired_at is None:
                    raise Conflict(f"version {version} of {key!r} is not retired")
                definition.retired_at, definition.retired_by = None, None

    def retired_processes(self) -> dict[str, Retirement]:
        with self.db.unit_of_work(write=False) as session:
            return {r.key: Retirement(r.key, None, r.retired_by, r.retired_at)
                    for r in session.scalars(select(RetiredProcess))}

    def startable_ids(self) -> dict[str, int]:
        with self.db.unit_of_work(write=False) as session:
            return startable_ids(session)


def _require_process(session: Session, key: str) -> None:
    if session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == key).limit(1)) is None:
        raise NotFound(f"no process {key!r} is deployed")


def _require_version(session: Session, key: str, version: int) -> ProcessDefinition:
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                                ProcessDefinition.version == version))
    if definition is None:
        raise NotFound(f"process {key!r} has no version {version}")
    return definition
