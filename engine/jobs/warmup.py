"""Instances of due jobs loaded ahead of their steps: state and summary in one statement for many instances."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select
from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.runtime.service import Runtime
from engine.runtime.store import INSTANCES
from engine.runtime.summary import SUMMARIES, KnownSummary

log = logging.getLogger(__name__)

_IDS = INSTANCES.c.id.in_(bindparam("b_ids", expanding=True))
# The summary is read with the row it belongs to (one snapshot): the row version vouches for both.
_STATES = (select(INSTANCES.c.id, INSTANCES.c.definition_id, INSTANCES.c.lock_version, INSTANCES.c.state,
                  SUMMARIES.c.data, SUMMARIES.c.completed)
           .select_from(INSTANCES.outerjoin(SUMMARIES, SUMMARIES.c.instance_id == INSTANCES.c.id))
           .where(_IDS, INSTANCES.c.status == "running").order_by(INSTANCES.c.id))
_VERSIONS = select(INSTANCES.c.id, INSTANCES.c.lock_version).where(_IDS).order_by(INSTANCES.c.id)
# In id order, so two workers locking overlapping sets queue behind each other instead of deadlocking.
_LOCK_STATES = _STATES.with_for_update(of=INSTANCES)
_LOCK_VERSIONS = _VERSIONS.with_for_update()


@dataclass(frozen=True)
class Preloaded:
    """An instance's workflow and summary as stored at row version `version`."""

    version: int
    workflow: BpmnWorkflow
    summary: KnownSummary


class Warmup:
    """Loads instances for the job runner and hands each to the runtime's warm cache just before its step,
    which uses it only if the row version still matches (otherwise it loads the stored state as always)."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def read(self, conn: Connection, instance_ids: list[str]) -> dict[str, Preloaded]:
        """Running instances among `instance_ids`, decoded (a job fires later; nothing is locked)."""
        if not instance_ids:
            return {}
        return self._decoded(conn.execute(_STATES, {"b_ids": instance_ids}))

    def lock(self, conn: Connection, instance_ids: list[str], preloaded: dict[str, Preloaded],
             lock_rows: bool) -> dict[str, Preloaded]:
        """Lock the instances (one statement, in id order) and load those not preloaded at their current
        version; returns what is warm for them now."""
        ids = sorted(set(instance_ids))
        if not ids:
            return {}
        if all(i in preloaded for i in ids):  # the usual case for jobs prepared ahead: versions suffice
            versions = {row.id: row.lock_version for row in conn.execute(
                _LOCK_VERSIONS if lock_rows else _VERSIONS, {"b_ids": ids})}
            warm = {i: preloaded[i] for i in ids if versions.get(i) == preloaded[i].version}
            stale = [i for i in versions if i not in warm]  # changed since: read again (locked already)
            if stale:
                warm.update(self._decoded(conn.execute(_STATES, {"b_ids": stale})))
            return warm
        rows = conn.execute(_LOCK_STATES if lock_rows else _STATES, {"b_ids": ids})
        return self._decoded(rows, preloaded)

    def lend(self, instance_id: str, preloaded: Preloaded) -> None:
        """Put the workflow where the instance's next step takes it from (used once: the step advances it)."""
        self.runtime.warm.put(instance_id, preloaded.version, preloaded.workflow, preloaded.summary)

    def _decoded(self, rows: Any, preloaded: dict[str, Preloaded] | None = None) -> dict[str, Preloaded]:
        definitions = self.runtime.definitions
        loaded = {}
        for row in rows:
            known = (preloaded or {}).get(row.id)
            if known is not None and known.version == row.lock_version:
                loaded[row.id] = known
                continue
            try:
                definition = definitions.load(row.definition_id)
                workflow = self.runtime.codec.load(row.state, definition.spec, definition.subprocess_specs,
                                                   definitions.load)
            except Exception:  # noqa: BLE001 - only a head start: the step loads it again and reports the error
                log.debug("instance %s not preloaded", row.id, exc_info=True)
                continue
            summary = KnownSummary(json.loads(row.data) if row.data is not None else {},
                                   json.loads(row.completed) if row.completed is not None else {})
            loaded[row.id] = Preloaded(row.lock_version, workflow, summary)
        return loaded
