"""Read side of deployed definitions: every version of every process, and a version's files."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from engine.definitions.viewonly import decode_report
from engine.errors import N_, NotFound, Problem
from engine.models import DefinitionFile, ProcessDefinition
from engine.persistence import Database


@dataclass(frozen=True)
class DefinitionVersion:
    id: int
    key: str
    name: str
    version: int
    content_hash: str
    deployed_by: str
    deployed_at: datetime
    files: list[str]
    origin: str = "files"
    executable: bool = True
    retired_by: str | None = None
    retired_at: datetime | None = None
    model_problems: list[Problem] = field(default_factory=list)  # a view-only model: why it cannot run


class DefinitionCatalog:
    def __init__(self, db: Database):
        self.db = db

    def versions(self, key: str | None = None) -> list[DefinitionVersion]:
        """Every stored version (of one process, or of all), by key then newest version first."""
        query = (select(ProcessDefinition, DefinitionFile.name)
                 .outerjoin(DefinitionFile, DefinitionFile.definition_id == ProcessDefinition.id)
                 .order_by(ProcessDefinition.key, ProcessDefinition.version.desc(), DefinitionFile.name))
        if key is not None:
            query = query.where(ProcessDefinition.key == key)
        found: dict[int, DefinitionVersion] = {}
        with self.db.unit_of_work(write=False) as session:
            for row, file_name in session.execute(query):
                version = found.get(row.id)
                if version is None:
                    version = found[row.id] = DefinitionVersion(
                        row.id, row.key, row.name or row.key, row.version, row.content_hash, row.deployed_by,
                        row.deployed_at, [], row.origin, row.executable, row.retired_by, row.retired_at,
                        decode_report(row.model_problems))
                if file_name is not None:
                    version.files.append(file_name)
        if key is not None and not found:
            raise NotFound(N_("no process '%(key)s' is deployed"), key=key)
        return list(found.values())

    def latest(self) -> list[DefinitionVersion]:
        """The newest version of each process, by key."""
        newest: dict[str, DefinitionVersion] = {}
        for version in self.versions():
            newest.setdefault(version.key, version)
        return list(newest.values())

    def version(self, key: str, version: int) -> DefinitionVersion:
        for found in self.versions(key):
            if found.version == version:
                return found
        raise NotFound(N_("process '%(key)s' has no version %(version)s"), key=key, version=version)

    def files(self, key: str, version: int) -> dict[str, bytes]:
        """The verbatim source files of one version, by name."""
        with self.db.unit_of_work(write=False) as session:
            rows = session.execute(
                select(DefinitionFile.name, DefinitionFile.content)
                .join(ProcessDefinition, ProcessDefinition.id == DefinitionFile.definition_id)
                .where(ProcessDefinition.key == key, ProcessDefinition.version == version)
                .order_by(DefinitionFile.name)).all()
        if not rows:
            raise NotFound(N_("process '%(key)s' has no version %(version)s"), key=key, version=version)
        return {name: bytes(content) for name, content in rows}
