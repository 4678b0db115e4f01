"""Acceptance plumbing for R-6: the archive area deployed, its people, and steps as a user takes them.

Every action first drops the warm workflows, so each step loads its instance cold from storage
(the serializer round trip the standards ask of workflow tests)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casework.archive_register import open_archive
from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.runtime.service import InstanceView, TaskView

PEOPLE = {
    "sam": ["staff", "sales"],
    "cara": ["staff", "finance"],
    "ada": ["staff", "archivist"],
    "fiona": ["staff", "finance_head"],
    "paul": ["staff", "procurement_head"],
}
PASSWORD = "archive-pass-1"


@dataclass
class ArchiveDesk:
    app: Casedesk

    @classmethod
    def set_up(cls, app: Casedesk) -> "ArchiveDesk":
        app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "archive", PROJECT_ROOT / "forms"), "owen")
        for name, groups in PEOPLE.items():
            app.users.add_user(name, PASSWORD, groups)
        return cls(app)

    def file(self, case_number: str, business_type: str = "sales") -> str:
        """An archive as the case chain leaves it (R-2.1.3): opened with the application materials."""
        with self.app.db.transaction() as conn:
            return open_archive(conn, self.app.clock.now(), case_number, business_type, f"Case {case_number}",
                                ["application form", "ID copy"], "case-instance")

    def apply(self, user: str, number: str, days: int = 7, purpose: str = "annual audit sample") -> str:
        """Start a borrowing and submit its application; returns the borrowing (= instance) id."""
        self.app.runtime.warm.clear()
        started = self.app.runtime.start_instance("archive_borrowing", {}, actor=user)
        self.complete(started.id, "apply", user, {"archive_number": number, "purpose": purpose, "days": days})
        return started.id

    def task(self, instance_id: str, spec: str) -> TaskView:
        tasks = [t for t in self.app.runtime.list_tasks(instance_id=instance_id) if t.task_spec == spec]
        assert len(tasks) == 1, f"expected one ready {spec}, have {[t.task_spec for t in tasks]}"
        return tasks[0]

    def ready(self, instance_id: str) -> list[str]:
        return sorted(t.task_spec for t in self.app.runtime.list_tasks(instance_id=instance_id))

    def complete(self, instance_id: str, spec: str, user: str, data: dict[str, Any]) -> InstanceView:
        task = self.task(instance_id, spec)
        self.app.runtime.warm.clear()
        return self.app.runtime.complete_task(task.id, data, actor=user)

    def approve(self, instance_id: str, user: str = "ada") -> InstanceView:
        return self.complete(instance_id, "archivist_review", user, {"archivist_decision": "approve"})

    def inbox(self, user: str) -> list[str]:
        return sorted(t.task_spec for t in self.app.runtime.list_tasks(user=user))

    def status(self, instance_id: str) -> str:
        self.app.runtime.warm.clear()
        return self.app.runtime.get_instance(instance_id).status

    def read_items(self, number: str, user: str) -> list[str]:
        return [item.name for item in self.app.archives.read(number, user).items]
