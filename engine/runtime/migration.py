"""Migrating running instances of one version of a process to another: the dry run and the batched move."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from engine.definitions.migration import MOVED_ON, OTHER, MigrationCheck, MigrationRefused, check_migration
from engine.definitions.service import DefinitionService, LoadedDefinition
from engine.errors import CasedeskError, Forbidden, InvalidInput, N_, NotFound
from engine.models import ProcessDefinition, ProcessInstance
from engine.persistence import Database
from engine.runtime.service import Runtime
from engine.runtime.step import InstanceStep
from engine.users import groups_of

DEFAULT_BATCH = 25
MIGRATING_ROLES = frozenset({"process_owner", "admin"})


@dataclass
class InstanceOutcome:
    """One instance in a migration report: whether it can move (dry run) or moved, and why not."""

    instance_id: str
    business_key: str | None
    check: MigrationCheck
    moved: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"instance": self.instance_id, "business_key": self.business_key, "moved": self.moved,
                **self.check.as_dict()}


@dataclass
class MigrationReport:
    key: str
    from_version: int
    to_version: int
    dry_run: bool
    instances: list[InstanceOutcome] = field(default_factory=list)
    batches: int = 0

    @property
    def movable(self) -> list[InstanceOutcome]:
        return [i for i in self.instances if i.check.can_move]

    @property
    def moved(self) -> list[InstanceOutcome]:
        return [i for i in self.instances if i.moved]

    @property
    def refused(self) -> list[InstanceOutcome]:
        return [i for i in self.instances if not i.check.can_move]

    def as_dict(self) -> dict[str, Any]:
        return {"process": self.key, "from_version": self.from_version, "to_version": self.to_version,
                "dry_run": self.dry_run, "batches": self.batches, "running": len(self.instances),
                "can_move": len(self.movable), "moved": len(self.moved), "refused": len(self.refused),
                "instances": [i.as_dict() for i in self.instances]}


class InstanceMigration:
    """Dry run: each running instance of version N compared with version M on a copy of its stored state
    (N = M is allowed there: every instance can stay, nothing would change). Move: those that can, `batch_size` per transaction, each a recorded `instance_migrated` step."""

    def __init__(self, db: Database, runtime: Runtime, definitions: DefinitionService):
        self.db = db
        self.runtime = runtime
        self.definitions = definitions

    def dry_run(self, key: str, from_version: int, to_version: int, actor: str) -> MigrationReport:
        source, target = self._versions(key, from_version, to_version, actor)
        report = MigrationReport(key, from_version, to_version, dry_run=True)
        registry = self.runtime.codec.serializer.registry
        with self.db.unit_of_work(write=False) as session:
            rows = session.execute(select(ProcessInstance.id, ProcessInstance.business_key, ProcessInstance.state)
                                   .where(ProcessInstance.definition_id == source.id,
                                          ProcessInstance.status == "running")
                                   .order_by(ProcessInstance.created_at, ProcessInstance.id)).all()
        for instance_id, business_key, state in rows:
            workflow = self.runtime.codec.load(state, source.spec, source.subprocess_specs, self.definitions.load)
            check = check_migration(workflow, target.spec, target.subprocess_specs, registry)
            report.instances.append(InstanceOutcome(instance_id, business_key, check))
        return report

    def migrate(self, key: str, from_version: int, to_version: int, actor: str,
                batch_size: int = DEFAULT_BATCH) -> MigrationReport:
        if batch_size < 1:
            raise InvalidInput(N_("the batch size must be at least 1"))
        if from_version == to_version:
            raise InvalidInput(N_("the source and target versions are the same; nothing would move"),
                               {"to": [f"choose a version other than {from_version}"]})
        planned = self.dry_run(key, from_version, to_version, actor)
        source, target = self._versions(key, from_version, to_version, actor)
        report = MigrationReport(key, from_version, to_version, dry_run=False, instances=planned.refused)
        movable = planned.movable
        for start in range(0, len(movable), batch_size):
            report.instances.extend(self._batch(movable[start:start + batch_size], source, target, actor))
            report.batches += 1
        return report

    def _batch(self, batch: list[InstanceOutcome], source: LoadedDefinition, target: LoadedDefinition,
               actor: str) -> list[InstanceOutcome]:
        """One transaction; each instance in a savepoint, so one that cannot move after all stays as it was."""
        outcomes: list[InstanceOutcome] = []
        steps: list[InstanceStep] = []
        with self.db.transaction() as conn:
            for planned in batch:
                savepoint = conn.begin_nested()
                try:
                    step = self.runtime.locked_step(conn, planned.instance_id)
                    if step.definition.id != source.id:
                        raise MigrationRefused(MigrationCheck.refused(
                            MOVED_ON, f"the instance no longer runs version {source.version} (it moved meanwhile)"))
                    check = step.migrate(target, actor)
                    step.finish()
                except MigrationRefused as refused:
                    savepoint.rollback()
                    outcomes.append(InstanceOutcome(planned.instance_id, planned.business_key, refused.check))
                    continue
                except CasedeskError as exc:
                    savepoint.rollback()
                    outcomes.append(InstanceOutcome(planned.instance_id, planned.business_key,
                                                    MigrationCheck.refused(OTHER, str(exc))))
                    continue
                savepoint.commit()
                steps.append(step)
                outcomes.append(InstanceOutcome(planned.instance_id, planned.business_key, check, moved=True))
        for step in steps:
            self.runtime.committed(step)
        return outcomes

    def _versions(self, key: str, from_version: int, to_version: int,
                  actor: str) -> tuple[LoadedDefinition, LoadedDefinition]:
        """Both versions, loaded. Refused: a version that does not exist, a view-only model on either side,
        and a retired target (retiring a version says no instance should start on it; moving onto it is
        the same). A retired process is no bar: its running instances go on, and may go on a fix."""
        with self.db.unit_of_work(write=False) as session:
            if not MIGRATING_ROLES & groups_of(session, actor):
                raise Forbidden(N_("only process owners and administrators migrate instances"))
            rows = {row.version: row for row in session.execute(
                select(ProcessDefinition.version, ProcessDefinition.id, ProcessDefinition.executable,
                       ProcessDefinition.retired_by)
                .where(ProcessDefinition.key == key, ProcessDefinition.version.in_((from_version, to_version))))}
            if not rows and session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == key)
                                           .limit(1)) is None:
                raise NotFound(N_("no process '%(key)s' is deployed"), key=key)
        for version in (from_version, to_version):
            if version not in rows:
                raise NotFound(N_("process '%(key)s' has no version %(version)s"), key=key, version=version)
        for field_name, version in (("from_version", from_version), ("to_version", to_version)):
            if not rows[version].executable:
                raise InvalidInput(
                    N_("version %(version)s of '%(key)s' is a view-only model: it cannot run, so no instance runs on "
                       "it or can move to it"), {field_name: [f"version {version} is a view-only model"]},
                    version=version, key=key)
        target = rows[to_version]
        if target.retired_by is not None and to_version != from_version:
            raise InvalidInput(
                N_("version %(version)s of '%(key)s' is retired (by %(user)s): no instance may start or move onto it; "
                   "bring it back first (casedesk restore %(key)s --version %(version)s)"),
                {"to_version": [f"version {to_version} is retired"]}, version=to_version, key=key,
                user=target.retired_by)
        return self.definitions.load(rows[from_version].id), self.definitions.load(target.id)
