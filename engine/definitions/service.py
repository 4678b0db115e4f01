"""Deploying process definitions as immutable versions, and loading a pinned version."""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Collection

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.errors import Conflict, DefinitionInvalid, DefinitionUnloadable, N_, NotFound, Problem
from engine.models import DefinitionFile, ProcessDefinition
from engine.definitions.parsing import ParsedBundle, parse_bundle
from engine.persistence import Database
from engine.definitions.translations import catalogue_files
from engine.definitions.validation import validate_bundle
from engine.definitions.viewonly import encode_report, model_processes, model_report

PROCESS_SUFFIXES = (".bpmn", ".dmn")


def collect_files(directory: Path, forms_dir: Path | None = None) -> dict[str, bytes]:
    """BPMN/DMN files by path relative to `directory`; form files (.json) by their base name."""
    if not directory.is_dir():
        raise NotFound(N_("no such directory: %(directory)s"), directory=directory)
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


DEPLOY_ORIGINS = ("files", "upload", "modeler")


@dataclass(frozen=True)
class DeployResult:
    key: str
    version: int
    content_hash: str
    created: bool
    # Why nothing was stored although the deployed content is not the newest version's own.
    kept_reason: str = ""


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
        self._broken: dict[int, str] = {}  # stored content never changes, so neither does a load failure
        self._loads: set[int] = set()  # versions known to load, so a health check never re-parses evicted ones
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def validate(self, files: dict[str, bytes]) -> list[Problem]:
        return validate_bundle(files, self.operators)

    def deploy(self, files: dict[str, bytes], deployed_by: str, origin: str = "files",
               replace_edits: bool = False) -> list[DeployResult]:
        """Store a new version of every process whose files changed; all or nothing.

        Content equal to any stored version of a process stores nothing, and a deploy from files
        never supersedes a version made in the modeler or uploaded (unless `replace_edits`):
        once deployed, the database is the source of truth.
        """
        if origin not in DEPLOY_ORIGINS:
            raise ValueError(f"unknown deploy origin {origin!r}")
        problems = self.validate(files)
        if problems:
            raise DefinitionInvalid(problems)
        bundle = parse_bundle(files)
        versions = {key: {name: files[name] for name in sorted(version_files(bundle, key))}
                    for key in sorted(bundle.process_keys())}
        # Load every version exactly as it will be loaded later, before anything is stored.
        problems = [p for key, own in versions.items() for p in load_problems(own, key)]
        if problems:
            raise DefinitionInvalid(problems)
        results = []
        try:
            with self.db.unit_of_work() as session:
                for key, own_files in versions.items():
                    name = getattr(bundle.spec(key), "description", None) or key
                    results.append(self._store_version(session, key, name, own_files, deployed_by, origin,
                                                       replace_edits))
        except IntegrityError as exc:
            raise Conflict(N_("another deployment of the same process ran at the same time; deploy again")) from exc
        return results

    def _store_version(self, session: Session, key: str, name: str, files: dict[str, bytes], deployed_by: str,
                       origin: str, replace_edits: bool) -> DeployResult:
        digest = content_hash(files)
        stored = list(session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                      .order_by(ProcessDefinition.version.desc())))
        latest = stored[0] if stored else None
        same = next((v for v in stored if v.content_hash == digest and v.executable), None)
        if same is not None and same is latest:
            return DeployResult(key, same.version, digest, created=False)
        if same is not None:
            return DeployResult(key, same.version, digest, created=False, kept_reason=(
                f"the same content is version {same.version}; the newer version {latest.version} "
                f"({latest.origin}, {latest.deployed_by}) stays the newest"))
        if latest is not None and origin == "files" and latest.origin != "files" and not replace_edits:
            return DeployResult(key, latest.version, digest, created=False, kept_reason=(
                f"version {latest.version} was deployed from the {latest.origin} by {latest.deployed_by}; "
                f"files never supersede it (casedesk export {key} DIR brings it to files)"))
        definition = ProcessDefinition(
            key=key,
            version=(latest.version + 1) if latest else 1,
            name=name,
            content_hash=digest,
            deployed_by=deployed_by,
            deployed_at=self.clock.now(),
            origin=origin,
            files=[DefinitionFile(name=n, content=c) for n, c in files.items()],
        )
        session.add(definition)
        session.flush()
        return DeployResult(key, definition.version, digest, created=True)

    def store_model(self, files: dict[str, bytes], deployed_by: str, origin: str = "upload") -> list[DeployResult]:
        """Store well-formed BPMN that cannot run as a view-only model version of each of its processes,
        with the report of why; content already stored for a process stores nothing."""
        if origin not in DEPLOY_ORIGINS:
            raise ValueError(f"unknown deploy origin {origin!r}")
        processes = model_processes(files)
        report = encode_report(model_report(files, self.operators))
        digest = content_hash(files)
        results = []
        try:
            with self.db.unit_of_work() as session:
                for key, (name, _file) in sorted(processes.items()):
                    stored = list(session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == key)
                                                  .order_by(ProcessDefinition.version.desc())))
                    same = next((v for v in stored if v.content_hash == digest), None)
                    if same is not None:
                        results.append(DeployResult(key, same.version, digest, created=False))
                        continue
                    definition = ProcessDefinition(
                        key=key, version=stored[0].version + 1 if stored else 1, name=name, content_hash=digest,
                        deployed_by=deployed_by, deployed_at=self.clock.now(), origin=origin, executable=False,
                        model_problems=report, files=[DefinitionFile(name=n, content=c) for n, c in files.items()])
                    session.add(definition)
                    session.flush()
                    results.append(DeployResult(key, definition.version, digest, created=True))
        except IntegrityError as exc:
            raise Conflict(N_("another deployment of the same process ran at the same time; store it again")) from exc
        return results

    def load(self, definition_id: int) -> LoadedDefinition:
        """The parsed specs and forms of one stored version (immutable, so cached).

        Raises DefinitionUnloadable for a version that no longer loads, so that callers can set it aside.
        """
        with self._lock:
            cached = self._cache.get(definition_id)
            if cached is not None:
                self._cache.move_to_end(definition_id)
                return cached
            broken = self._broken.get(definition_id)
        with self.db.unit_of_work(write=False) as session:
            definition = session.get(ProcessDefinition, definition_id)
            if definition is None:
                raise NotFound(N_("no process definition with id %(id)s"), id=definition_id)
            files = {f.name: f.content for f in definition.files}
            key, version, executable = definition.key, definition.version, definition.executable
        if not executable:
            raise DefinitionUnloadable(key, version, "it is a view-only model, not an executable process")
        if broken is not None:
            raise DefinitionUnloadable(key, version, broken)
        try:
            loaded = build_loaded(definition_id, key, version, files)
        except Exception as exc:  # noqa: BLE001 - any failure to load isolates this version only
            reason = _load_failure(exc)
            with self._lock:
                self._broken[definition_id] = reason
            raise DefinitionUnloadable(key, version, reason) from exc
        with self._lock:
            self._cache[definition_id] = loaded
            self._loads.add(definition_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return loaded

    def load_error(self, definition_id: int) -> str | None:
        """Why a stored version does not load, or None when it loads."""
        with self._lock:
            if definition_id in self._loads:
                return None
        try:
            self.load(definition_id)
        except DefinitionUnloadable as exc:
            return exc.reason
        return None

    def list_definitions(self) -> list[ProcessDefinition]:
        with self.db.unit_of_work(write=False) as session:
            return list(session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key, ProcessDefinition.version)))


def version_files(bundle: ParsedBundle, key: str) -> set[str]:
    """The files a version of `key` needs: its own, and those of every executable process defined in
    any of them (loading a file parses each of its processes), closed over the files those need."""
    names = set(bundle.files_for(key))
    others = [k for k in bundle.process_keys() if k != key]
    grown = True
    while grown:
        grown = False
        for other in others:
            if bundle.process_files[other] in names and not bundle.files_for(other) <= names:
                names |= bundle.files_for(other)
                grown = True
    return names | catalogue_files(names, bundle.files)


def build_loaded(definition_id: int, key: str, version: int, files: dict[str, bytes]) -> LoadedDefinition:
    bundle = parse_bundle(files)
    return LoadedDefinition(
        id=definition_id,
        key=key,
        version=version,
        spec=bundle.spec(key),
        subprocess_specs=bundle.subprocess_specs(key),
        forms={name: json.loads(content) for name, content in files.items() if name.endswith(".json")},
    )


def load_problems(files: dict[str, bytes], key: str) -> list[Problem]:
    """What stops the version made of `files` from loading as process `key` (empty: it loads)."""
    try:
        build_loaded(0, key, 0, files)
    except DefinitionInvalid as invalid:
        return [Problem(p.file, p.element_id, p.element_name, f"version of {key!r} would not load: {p.message}")
                for p in invalid.problems]
    except Exception as exc:  # noqa: BLE001 - reported to the deployer, nothing stored
        return [Problem(main_file(files), key, "", f"version of {key!r} would not load: {_load_failure(exc)}")]
    return []


def main_file(files: dict[str, bytes]) -> str:
    return next((name for name in sorted(files) if name.endswith(".bpmn")), "")


def _load_failure(exc: BaseException) -> str:
    if isinstance(exc, DefinitionInvalid):
        return "; ".join(str(p) for p in exc.problems) or str(exc)
    return f"{type(exc).__name__}: {exc}"
