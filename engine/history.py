"""Read side of the event log: listing an instance's history and verifying its chain."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import NotFound
from .eventlog import ChainReport, list_events, verify_chain
from .models import InstanceEvent, ProcessInstance
from .persistence import Database


class HistoryService:
    def __init__(self, db: Database):
        self.db = db

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

    @staticmethod
    def _instance(session: Session, instance_id: str) -> ProcessInstance:
        row = session.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"no instance {instance_id}")
        return row
