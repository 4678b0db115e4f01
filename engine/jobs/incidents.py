"""Incidents: list them, and let an administrator retry what is stuck (every act recorded as an event)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from engine.clock import Clock
from engine.errors import Conflict, Forbidden, N_, NotFound
from engine.history.eventlog import INPUT, chain_event
from engine.runtime.store import InstanceStore
from engine.jobs.store import INCIDENTS, JOBS
from engine.persistence import Database
from engine.runtime.service import Runtime
from engine.users import groups_of
from engine.runtime.waits import INCIDENT


@dataclass(frozen=True)
class IncidentView:
    id: int
    instance_id: str
    kind: str
    element: str
    error: str
    attempts: int
    status: str
    opened_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None


def _view(row: object) -> IncidentView:
    m = row._mapping  # type: ignore[attr-defined]
    return IncidentView(m["id"], m["instance_id"], m["kind"], m["element"], m["error"], m["attempts"], m["status"],
                        m["opened_at"], m["resolved_at"], m["resolved_by"])


class IncidentService:
    def __init__(self, db: Database, runtime: Runtime, clock: Clock):
        self.db = db
        self.runtime = runtime
        self.clock = clock

    def list(self, status: str | None = "open", instance_id: str | None = None) -> list[IncidentView]:
        query = select(INCIDENTS).order_by(INCIDENTS.c.opened_at, INCIDENTS.c.id)
        if status is not None:
            query = query.where(INCIDENTS.c.status == status)
        if instance_id is not None:
            query = query.where(INCIDENTS.c.instance_id == instance_id)
        with self.db.unit_of_work(write=False) as session:
            return [_view(row) for row in session.execute(query)]

    def retry(self, incident_id: int, actor: str) -> IncidentView:
        """Run the stuck service task again now, or put the failed job back in the queue."""
        with self.db.transaction() as conn:
            if "admin" not in groups_of(conn, actor):
                raise Forbidden(N_("only an administrator may retry an incident"))
            row = conn.execute(select(INCIDENTS).where(INCIDENTS.c.id == incident_id)).first()
            if row is None:
                raise NotFound(N_("no incident %(incident)s"), incident=incident_id)
            incident = _view(row)
            if incident.status != "open":
                raise Conflict(N_("incident %(incident)s is %(status)s"), incident=incident_id,
                               status=[incident.status])
            if incident.kind == "error":
                raise Conflict(N_("incident %(incident)s: %(error)s; there is nothing to run again — cancel the "
                                  "instance, or fix the process so that an error boundary catches it"),
                               incident=incident_id, error=incident.error)
            if incident.kind == "service":
                step = self.runtime.locked_step(conn, incident.instance_id)
                task = step.waiting_task(row._mapping["task_id"] or "")
                if task is None or task._get_internal_data(INCIDENT) is None:
                    raise Conflict(N_("incident %(incident)s: its task no longer waits for a retry"),
                                   incident=incident_id)
                step.retry_service(task, "incident_retried", {"incident": incident_id}, actor=actor)
                step.finish()
            else:
                self._requeue_job(conn, incident, row._mapping["job_id"], actor)
                step = None
        if step is not None:
            self.runtime.committed(step)
        return self._get(incident_id)

    def _requeue_job(self, conn: Connection, incident: IncidentView, job_id: int | None, actor: str) -> None:
        now = self.clock.now()
        store = InstanceStore(conn, self.db.is_postgres)
        record = store.lock_instance(incident.instance_id)
        if record is None:
            raise NotFound(N_("no instance %(instance)s"), instance=incident.instance_id)
        requeued = conn.execute(update(JOBS).where(JOBS.c.id == job_id, JOBS.c.status == "failed").values(
            status="pending", due_at=now, attempts=0, lease_owner=None, lease_expires_at=None)).rowcount
        if requeued != 1:
            raise Conflict(N_("incident %(incident)s: its job no longer exists"), incident=incident.id)
        event = chain_event(record, now, INPUT, "incident_retried", {"incident": incident.id, "element": incident.element,
                                                                     "job": job_id}, actor=actor)
        record.updated_at = now
        store.save_instance(record)
        store.insert_events([event])
        conn.execute(update(INCIDENTS).where(INCIDENTS.c.id == incident.id).values(
            status="resolved", resolved_at=now, resolved_by=actor))

    def _get(self, incident_id: int) -> IncidentView:
        with self.db.unit_of_work(write=False) as session:
            return _view(session.execute(select(INCIDENTS).where(INCIDENTS.c.id == incident_id)).one())
