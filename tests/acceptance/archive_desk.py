"""Acceptance plumbing for R-6: the archive area deployed, its people, and steps as a user takes them (cold)."""
from __future__ import annotations

from casework.archive_register import open_archive
from engine.bootstrap import Casedesk
from engine.runtime.service import InstanceView
from tests.support.steps import InstanceDesk, deploy_area

PEOPLE = {
    "sam": ["staff", "sales"],
    "cara": ["staff", "finance"],
    "ada": ["staff", "archivist"],
    "fiona": ["staff", "finance_head"],
    "paul": ["staff", "procurement_head"],
}
PASSWORD = "archive-pass-1"


class ArchiveDesk(InstanceDesk):
    @classmethod
    def set_up(cls, app: Casedesk) -> "ArchiveDesk":
        deploy_area(app, "archive")
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
        borrowing = self.start("archive_borrowing", user)
        self.complete(borrowing, "apply", user, {"archive_number": number, "purpose": purpose, "days": days})
        return borrowing

    def approve(self, instance_id: str, user: str = "ada") -> InstanceView:
        return self.complete(instance_id, "archivist_review", user, {"archivist_decision": "approve"})

    def inbox(self, user: str) -> list[str]:
        return sorted(t.task_spec for t in self.app.runtime.list_tasks(user=user))

    def read_items(self, number: str, user: str) -> list[str]:
        return [item.name for item in self.app.archives.read(number, user).items]
