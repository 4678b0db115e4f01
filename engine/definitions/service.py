"""Deploying process definitions as immutable versions, and loading a pinned version."""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Collection

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.errors import Conflict, DefinitionInvalid, NotFound, Problem
from engine.models import DefinitionFile, ProcessDefinition
from engine.definitions.parsing import parse_bundle
from engine.persistence import Database
from engine.definitions.validation import validate_bundle

PROCESS_SUFFIXES = (".bpmn", ".dmn")


def collect_files(directory: Path, forms_dir: Path | None = None) -> dict[str, bytes]:
    """BPMN/DMN files by path relative to `directory`; form files (.json) by their base name."""
    if not directory.is_dir():
        raise NotFound(f"no such directory: {directory}")
    files: dict[str, bytes] = {}
    for path in sorted(directory.rglob("*")):
        if path.suffix in PROCESS_SUFFIXES and path.is_file():
            files[path.relative_to(directory).as_posix()] = path.read_bytes()
    form_roots = [directory] + ([forms_dir] if forms_dir and forms_dir.is_dir() else [])
    for root in form_roots:
        for path in sorted(root.rglob("*.json")):
            files.setdefault(path.name, path.read_bytes())
    return files


def content_hash(files: dict[str, bytes]) -> str:
    """Hash of the files' base names and contents: deploying the same files from another
    root folder (processes/ or processes/demo/) is the same version."""
    digest = hashlib.sha256()
    for name, content in sorted((PurePosixPath(n).name, c) for n, c in files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class DeployResult:
    key: str
    version: int
    content_hash: str
    created: bool


@dataclass(frozen=True)
class LoadedDefinition:
    id: int
    key: str
    version: int
    spec: Any
    subprocess_specs: dict[str, Any]
    forms: dict[str, dict[str, Any]]


class DefinitionService:
    def __init__(self, db: Database, operators: Collection[str], clock: Clock, cache_size: int = 128):
        self.db = db
        self.operators = operators
        self.clock = clock
        self._cache: OrderedDict[int, LoadedDefinition] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def validate(self, files: dict[str, bytes]) -> list[Problem]:
        return validate_bundle(files, self.operators)

    def deploy(self, files: dict[str, bytes], deployed_by: str) -> list[DeployResult]:
        """Store a new version of every process whose files changed; all or nothing."""
        problems = self.validate(files)
        if problems:
            raise DefinitionInvalid(problems)
        bundle = parse_bundle(files)
        results = []
        try:
            with self.db.unit_of_work() as session:
                for key in sorted(bundle.process_keys()):
                    own_files = {name: files[name] for name in sorted(bundle.files_for(key))}
                    name = getattr(bundle.spec(key), "description", None) or key
                    results.append(self._store_version(session, key, name, own_files, deployed_by))
        except IntegrityError as exc:
            raise Conflict("another deployment of the same process ran at the same time; deploy again") from exc
        return results

    def _store_version(
        self, session: Session, key: str, name: str, files: dict[str, bytes], deployed_by: str
    ) -> DeployResult:
        digest = content_hash(files)
        latest = latest_version(session, key)
        if latest is not None and latest.content_hash == digest:
            return DeployResult(key, latest.version, digest, created=False)
        definition = ProcessDefinition(
            key=key,
            version=(latest.version + 1) if latest else 1,
            name=name,
            content_hash=digest,
            deployed_by=deployed_by,
            deployed_at=self.clock.now(),
            files=[DefinitionFile(name=n, content=c) for n, c in files.items()],
        )
        session.add(definition)
        session.flush()
        return DeployResult(key, definition.version, digest, created=True)

    def load(self, definition_id: int) -> LoadedDefinition:
        """The parsed specs and forms of one stored version (immutable, so cached)."""
        with self._lock:
            cached = self._cache.get(definition_id)
            if cached is not None:
                self._cache.move_to_end(definition_id)
                return cached
        with self.db.unit_of_work(write=False) as session:
            definition = session.get(ProcessDefinition, definition_id)
            if definition is None:
                raise NotFound(f"no process definition with id {definition_id}")
            files = {f.name: f.content for f in definition.files}
            key, version = definition.key, definition.version
        bundle = parse_bundle(files)
        loaded = LoadedDefinition(
            id=definition_id,
            key=key,
            version=version,
            spec=bundle.spec(key),
            subprocess_specs=bundle.subprocess_specs(key),
            forms={name: json.loads(content) for name, content in files.items() if name.endswith(".json")},
        )
        with self._lock:
            self._cache[definition_id] = loaded
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return loaded

    def list_definitions(self) -> list[ProcessDefinition]:
        with self.db.unit_of_work(write=False) as session:
            return list(session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key, ProcessDefinition.version)))


def latest_version(session: Session, key: str) -> ProcessDefinition | None:
    newest = select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == key).scalar_subquery()
    return session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key, ProcessDefinition.version == newest))
