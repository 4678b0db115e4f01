"""Read side of the event log: an instance's history, its chain, its replay and its state at any event."""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.history.coverage import sequence_flows
from engine.documents.service import verify_documents
from engine.definitions.service import LoadedDefinition, content_hash
from engine.errors import N_, NotFound
from engine.history.eventlog import INPUT, ChainReport, list_events, verify_chain, verify_events
from engine.runtime.store import HUMAN_TASKS
from engine.models import DefinitionFile, InstanceEvent, ProcessDefinition, ProcessInstance
from engine.definitions.parsing import parse_bundle
from engine.persistence import Database
from engine.history.replay import Observer, Replay
from engine.history.replaycheck import Divergence, RecordedEvent, canonical_state, first_difference
from engine.sandbox.policy import SandboxEnvironment
from engine.history.timetravel import StateAt, state_at
from engine.runtime.state import StateCodec
from forms.documents import references_in


@dataclass
class ReplayReport:
    """Verified when the chain is intact, the pinned files match their hash and replay reproduced everything."""

    instance_id: str
    events: int
    chain: ChainReport
    divergence: Divergence | None
    definition: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return self.chain.ok and self.divergence is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "instance": self.instance_id, "definition": self.definition, "events": self.events,
            "verified": self.verified, "chain": {"ok": self.chain.ok, "problems": self.chain.problems},
            "divergence": None if self.divergence is None else self.divergence.as_dict(),
        }


@dataclass
class StoredInstance:
    """Everything replay reads about one instance, read in one unit of work."""

    row: ProcessInstance
    events: list[RecordedEvent]
    chain: ChainReport
    definition: LoadedDefinition
    definition_problem: str | None
    inbox: dict[str, dict[str, Any]]


_DEFINITION = select(ProcessDefinition.key, ProcessDefinition.version, ProcessDefinition.content_hash).where(
    ProcessDefinition.id == bindparam("b_id"))
_FILES = select(DefinitionFile.name, DefinitionFile.content).where(DefinitionFile.definition_id == bindparam("b_id"))
INBOX_FIELDS = ("task_spec", "title", "candidate_group", "assignee", "form_file", "ui_form_file", "due_at")


class HistoryService:
    def __init__(self, db: Database, environment: BasePythonScriptEngineEnvironment | None = None,
                 cache_size: int = 32):
        self.db = db
        self.environment = environment or SandboxEnvironment()
        # Parsed pinned versions keyed by the digest of the bytes actually stored, so an edited file
        # is parsed afresh and never answered from a cache filled before the edit.
        self._parsed: OrderedDict[str, LoadedDefinition] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._codec = StateCodec()

    def events(self, instance_id: str) -> list[InstanceEvent]:
        with self.db.unit_of_work(write=False) as session:
            self._instance(session, instance_id)
            return list_events(session, instance_id)

    def verify(self, instance_id: str) -> ChainReport:
        with self.db.unit_of_work(write=False) as session:
            return verify_chain(session, self._instance(session, instance_id))

    def instance_ids(self) -> list[str]:
        with self.db.unit_of_work(write=False) as session:
            return list(session.scalars(select(ProcessInstance.id).order_by(ProcessInstance.created_at)))

    # -- replay ---------------------------------------------------------------------------

    def replay(self, instance_id: str) -> ReplayReport:
        """Re-run the recorded inputs on the pinned version; compare every effect, then the final state."""
        stored = self.load(instance_id)
        label = f"{stored.definition.key} v{stored.definition.version}"
        report = ReplayReport(instance_id, len(stored.events), stored.chain, None, label)
        if stored.definition_problem is not None:
            report.divergence = Divergence(None, "pinned definition changed", stored.definition_problem)
            return report
        replay = self.replayer(stored)
        report.divergence = (replay.run() or self._final_divergence(stored, replay)
                             or self._document_divergence(stored))
        return report

    def _document_divergence(self, stored: StoredInstance) -> Divergence | None:
        """Every file an input attached must still be stored with the content its recorded SHA-256 names."""
        with self.db.transaction() as conn:
            for event in stored.events:
                data = event.payload.get("data")
                if event.category != INPUT or not isinstance(data, dict):
                    continue
                problems = verify_documents(conn, [ref for _name, ref in references_in(data)])
                if problems:
                    return Divergence(event.seq, "document changed", "; ".join(problems))
        return None

    def state_at(self, instance_id: str, seq: int) -> StateAt:
        """Tokens, completed elements, data and actors as of event `seq` (replayed, so exact)."""
        stored = self.load(instance_id)
        return state_at(stored, seq, self.replayer, self.flow_ids(stored.row.definition_id))

    def flow_ids(self, definition_id: int) -> dict[tuple[str, str, str], str]:
        """(process, source, target) → sequence flow id in the pinned version's stored BPMN."""
        with self.db.unit_of_work(write=False) as session:
            files = {name: bytes(content) for name, content in session.execute(_FILES, {"b_id": definition_id})}
        return {(f.process, f.source, f.target): f.id for f in sequence_flows(files)}

    def replayer(self, stored: StoredInstance, observer: Observer | None = None) -> Replay:
        return Replay(stored.row.id, stored.row.started_by, stored.events, stored.definition, self.environment,
                      observer, load_version=self.stored_version, resolve=self.stored_definition)

    def stored_definition(self, definition_id: int) -> LoadedDefinition:
        """A stored version by id, parsed from its stored files (a late-bound call's nested specs)."""
        with self.db.unit_of_work(write=False) as session:
            return self._pinned(session, definition_id)[0]

    def stored_version(self, key: str, version: int) -> tuple[LoadedDefinition, str | None]:
        """Another stored version of a process (where a migration took an instance), parsed and checked."""
        with self.db.unit_of_work(write=False) as session:
            definition_id = session.scalar(select(ProcessDefinition.id).where(
                ProcessDefinition.key == key, ProcessDefinition.version == version))
            if definition_id is None:
                raise NotFound(N_("process '%(key)s' has no version %(version)s"), key=key, version=version)
            return self._pinned(session, definition_id)

    def load(self, instance_id: str) -> StoredInstance:
        with self.db.unit_of_work(write=False) as session:
            row = self._instance(session, instance_id)
            rows = list_events(session, instance_id)
            chain = verify_events(row, rows)
            events = [RecordedEvent.from_row(position, event) for position, event in enumerate(rows, start=1)]
            definition, problem = self._pinned(session, self._started_on(session, row, events))
            inbox = {t.id: {name: getattr(t, name) for name in INBOX_FIELDS}
                     for t in session.execute(select(HUMAN_TASKS).where(HUMAN_TASKS.c.instance_id == instance_id))}
            session.expunge(row)
        return StoredInstance(row, events, chain, definition, problem, inbox)

    @staticmethod
    def _started_on(session: Session, row: ProcessInstance, events: list[RecordedEvent]) -> int:
        """The version the instance started on: the pinned one, unless an owner migrated it since."""
        if not any(e.type == "instance_migrated" for e in events) or events[0].type != "instance_started":
            return row.definition_id
        started = events[0].payload
        found = session.scalar(select(ProcessDefinition.id).where(
            ProcessDefinition.key == started.get("process"), ProcessDefinition.version == started.get("version")))
        return row.definition_id if found is None else found

    def _pinned(self, session: Session, definition_id: int) -> tuple[LoadedDefinition, str | None]:
        """The stored files of the pinned version, parsed; and whether they still match their recorded hash."""
        definition = session.execute(_DEFINITION, {"b_id": definition_id}).first()
        if definition is None:
            raise NotFound(N_("no process definition with id %(id)s"), id=definition_id)
        files = {name: bytes(content) for name, content in session.execute(_FILES, {"b_id": definition_id})}
        problem = None
        if content_hash(files) != definition.content_hash:
            problem = (f"the stored files of {definition.key} v{definition.version} no longer match the content "
                       "hash recorded when it was deployed (edited after deployment)")
        digest = hashlib.sha256()
        for name, content in sorted(files.items()):
            digest.update(hashlib.sha256(name.encode()).digest() + hashlib.sha256(content).digest())
        cache_key = f"{definition_id}:{digest.hexdigest()}"
        with self._lock:
            cached = self._parsed.get(cache_key)
        if cached is not None:
            return cached, problem
        try:
            bundle = parse_bundle(files)
            loaded = LoadedDefinition(
                id=definition_id, key=definition.key, version=definition.version, spec=bundle.spec(definition.key),
                subprocess_specs=bundle.subprocess_specs(definition.key),
                forms={name: json.loads(content) for name, content in files.items() if name.endswith(".json")},
            )
        except Exception as exc:  # noqa: BLE001 - an unreadable pinned version is a finding, not a crash
            unreadable = f"the stored files of {definition.key} v{definition.version} cannot be parsed: {exc}"
            # Never run: replay and time travel stop at the problem.
            return LoadedDefinition(definition_id, definition.key, definition.version, None, {}, {}), \
                "; ".join(p for p in (problem, unreadable) if p)
        with self._lock:
            self._parsed[cache_key] = loaded
            while len(self._parsed) > self._cache_size:
                self._parsed.popitem(last=False)
        return loaded, problem

    def _final_divergence(self, stored: StoredInstance, replay: Replay) -> Divergence | None:
        """After the last event: instance columns, the inbox and the workflow state must equal what is stored."""
        row, record, last = stored.row, replay.record, len(stored.events) or None
        for name in ("status", "business_key", "completed_at"):
            if getattr(row, name) != getattr(record, name):
                return Divergence(last, "final state differs", f"instance {name} differs",
                                  _plain(getattr(row, name)), _plain(getattr(record, name)))
        inbox = {replay.ids.recorded(task_id): {name: getattr(view, name) for name in INBOX_FIELDS}
                 for task_id, view in replay.store.inbox.items()}
        if inbox != stored.inbox:
            return Divergence(last, "final state differs",
                              f"inbox differs at {first_difference(stored.inbox, inbox)}", stored.inbox, inbox)
        replayed_state = self._codec.dump(replay.workflow) if replay.workflow is not None else ""
        try:
            expected = canonical_state(row.state)
        except ValueError:
            return Divergence(last, "final state differs", "the stored state is not readable JSON")
        got = canonical_state(replayed_state)
        if expected != got:
            return Divergence(last, "final state differs",
                              f"workflow state differs at {first_difference(expected, got)}")
        return None

    @staticmethod
    def _instance(session: Session, instance_id: str) -> ProcessInstance:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(N_("no instance %(instance)s"), instance=instance_id)
        return row


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
