"""Instances of due jobs loaded ahead of their steps: state and summary in one statement for many instances."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, bindparam, select
from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.runtime.service import Runtime
from engine.runtime.store import INSTANCES, InstanceRecord
from engine.runtime.summary import SUMMARIES, KnownSummary

log = logging.getLogger(__name__)

_IDS = INSTANCES.c.id.in_(bindparam("b_ids", expanding=True))
_SUMMARY = (SUMMARIES.c.data.label("summary_data"), SUMMARIES.c.completed.label("summary_completed"))
# The summary is read with the row it belongs to (one snapshot): the row version vouches for both.
_ROWS = (select(INSTANCES, *_SUMMARY)
         .select_from(INSTANCES.outerjoin(SUMMARIES, SUMMARIES.c.instance_id == INSTANCES.c.id))
         .where(_IDS).order_by(INSTANCES.c.id))
# In id order, so two workers locking overlapping sets queue behind each other instead of deadlocking.
_LOCK_ROWS = _ROWS.with_for_update(of=INSTANCES)
_RECORD_FIELDS = [f.name for f in fields(InstanceRecord)]


@dataclass(frozen=True)
class Preloaded:
    """An instance's workflow and summary as stored at row version `version`."""

    version: int
    workflow: BpmnWorkflow
    summary: KnownSummary
    record: InstanceRecord  # the row it was decoded from (not locked)


class Warmup:
    """Loads instances for the job runner and hands each to the runtime's warm cache just before its step,
    which uses it only if the row version still matches (otherwise it decodes the stored state as always)."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def read(self, conn: Connection, instance_ids: list[str]) -> dict[str, Preloaded]:
        """Running instances among `instance_ids`, decoded (their jobs fire later; nothing is locked)."""
        if not instance_ids:
            return {}
        preloaded = {}
        for row in conn.execute(_ROWS, {"b_ids": instance_ids}):
            loaded = self._decoded(row) if row.status == "running" else None
            if loaded is not None:
                preloaded[row.id] = loaded
        return preloaded

    def lock(self, conn: Connection, instance_ids: list[str], preloaded: dict[str, Preloaded],
             lock_rows: bool, computed: frozenset[str] = frozenset()) -> dict[str, InstanceRecord]:
        """Lock and read the instances (one statement, in id order); the running ones not preloaded at their
        current version are loaded now, except those in `computed` (their steps were computed ahead). Lend
        each before its step: `runtime.step_on_locked` takes it."""
        ids = sorted(set(instance_ids))
        if not ids:
            return {}
        records = {}
        for row in conn.execute(_LOCK_ROWS if lock_rows else _ROWS, {"b_ids": ids}):
            record = _record(row)
            records[record.id] = record
            if record.status != "running":
                preloaded.pop(record.id, None)
                continue
            known = preloaded.get(record.id)
            if record.id not in computed and (known is None or known.version != record.lock_version):
                loaded = self._decoded(row)
                if loaded is None:
                    preloaded.pop(record.id, None)
                else:
                    preloaded[record.id] = loaded
        return records

    def lend(self, instance_id: str, preloaded: Preloaded) -> None:
        """Put the workflow where the instance's next step takes it from (used once: the step advances it)."""
        self.runtime.warm.put(instance_id, preloaded.version, preloaded.workflow, preloaded.summary)

    def _decoded(self, row: Any) -> Preloaded | None:
        definitions = self.runtime.definitions
        try:
            definition = definitions.load(row.definition_id)
            workflow = self.runtime.codec.load(row.state, definition.spec, definition.subprocess_specs,
                                               definitions.load)
        except Exception:  # noqa: BLE001 - only a head start: the step loads it again and reports the error
            log.debug("instance %s not preloaded", row.id, exc_info=True)
            return None
        summary = KnownSummary(json.loads(row.summary_data) if row.summary_data is not None else {},
                               json.loads(row.summary_completed) if row.summary_completed is not None else {})
        return Preloaded(row.lock_version, workflow, summary, _record(row))


def _record(row: Any) -> InstanceRecord:
    return InstanceRecord(**{name: row._mapping[name] for name in _RECORD_FIELDS})
