"""Steps as staff take them on a casedesk, shared by every acceptance desk: areas deployed, tasks found in an inbox."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.sql import Executable

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.runtime.service import InstanceView
from engine.runtime.store import TaskView

PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"


def area_files(area: str, *diagrams: str) -> dict[str, bytes]:
    """processes/<area> with the forms; with `diagrams`, only those diagrams of it (and their catalogues), so
    that a timer of another diagram does not run in a test about these (forms and tables all stay)."""
    files = collect_files(PROCESSES / area, FORMS)
    if not diagrams:
        return files
    return {name: content for name, content in files.items()
            if not name.endswith((".bpmn", ".i18n.json")) or name.split(".")[0] in diagrams}


def deploy_area(desk: Casedesk, area: str, *diagrams: str, owner: str = "owen") -> Casedesk:
    """Deploy processes/<area> (or the named diagrams of it) as its process owner would."""
    desk.definitions.deploy(area_files(area, *diagrams), owner)
    return desk


def element(spec: str) -> str:
    """The BPMN element of a task spec: SpiffWorkflow names a multi-instance or loop body "<id> [child]"."""
    return spec.split(" [")[0]


def tasks(desk: Casedesk, user: str | None, spec: str, instance_id: str | None = None) -> list[TaskView]:
    """The ready tasks of one element in `user`'s inbox (everyone's, when `user` is None), of one instance if named."""
    return [t for t in desk.runtime.list_tasks(user=user, instance_id=instance_id) if element(t.task_spec) == spec]


def task(desk: Casedesk, user: str | None, spec: str, instance_id: str | None = None) -> TaskView:
    """The one ready `spec` task `user` sees; fails naming what the inbox holds instead."""
    found = tasks(desk, user, spec, instance_id)
    if len(found) != 1:
        held = sorted(t.task_spec for t in desk.runtime.list_tasks(user=user, instance_id=instance_id))
        raise AssertionError(f"{user or 'the instance'} has {held}, not one {spec}")
    return found[0]


def complete_cold(desk: Casedesk, task: TaskView, user: str, data: dict[str, Any]) -> InstanceView:
    """Complete `task` after dropping every warm workflow, so the step loads its instance from storage
    (the serializer round trip a restart would make, which the standards ask of workflow tests)."""
    desk.runtime.warm.clear()
    return desk.runtime.complete_task(task.id, data, actor=user)


def work(desk: Casedesk, user: str, spec: str, data: dict[str, Any], instance_id: str | None = None) -> InstanceView:
    """Complete the one `spec` task from `user`'s own inbox, cold from storage."""
    return complete_cold(desk, task(desk, user, spec, instance_id), user, data)


def run_due_at(desk: Casedesk, moment: datetime) -> int:
    """Move the fake clock to `moment` and run the jobs due by then; returns how many ran."""
    assert isinstance(desk.clock, FakeClock)
    desk.clock.set(moment)
    return desk.jobs.run_due(worker="test")


def objects(desk: Casedesk, statement: Executable) -> list[Any]:
    """The mapped objects a read-only ORM query of the registers returns (one entity selected)."""
    with desk.db.unit_of_work(write=False) as session:
        return list(session.scalars(statement))


def rows(desk: Casedesk, statement: Executable) -> list[Any]:
    """The rows a read-only query of the registers' tables returns."""
    with desk.db.unit_of_work(write=False) as session:
        return list(session.execute(statement))


@dataclass
class InstanceDesk:
    """A desk whose steps name the instance they act on (a borrowing, a leave request) rather than a person's inbox."""

    app: Casedesk

    def start(self, process_key: str, user: str, data: dict[str, Any] | None = None) -> str:
        """Start an instance cold, as a user does from the start page; returns its id."""
        self.app.runtime.warm.clear()
        return self.app.runtime.start_instance(process_key, data or {}, actor=user).id

    def task(self, instance_id: str, spec: str) -> TaskView:
        found = tasks(self.app, None, spec, instance_id)
        assert len(found) == 1, f"expected one ready {spec}, have {[t.task_spec for t in found]}"
        return found[0]

    def ready(self, instance_id: str) -> list[str]:
        return sorted(t.task_spec for t in self.app.runtime.list_tasks(instance_id=instance_id))

    def complete(self, instance_id: str, spec: str, user: str, data: dict[str, Any]) -> InstanceView:
        return complete_cold(self.app, self.task(instance_id, spec), user, data)

    def status(self, instance_id: str) -> str:
        self.app.runtime.warm.clear()
        return self.app.runtime.get_instance(instance_id).status
