"""The composition root: wires database, clock, handlers, sandbox and services (tests pass fakes)."""
from __future__ import annotations

from dataclasses import dataclass

from forms.schema import form_validator
from handlers.context import HandlerRegistry
from handlers.registry import build_registry

from .archive import ArchiveService
from .clock import Clock, SystemClock
from .config import Settings
from .definitions import DefinitionService
from .history import HistoryService
from .incidents import IncidentService
from .jobs import JobRunner
from .persistence import Database, make_engine, migrate
from .runtime import Runtime
from .sandbox import SandboxEnvironment
from .users import UserService


@dataclass
class Casedesk:
    settings: Settings
    db: Database
    clock: Clock
    handlers: HandlerRegistry
    definitions: DefinitionService
    runtime: Runtime
    users: UserService
    history: HistoryService
    archives: ArchiveService
    jobs: JobRunner
    incidents: IncidentService

    def close(self) -> None:
        self.db.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    clock: Clock | None = None,
    handlers: HandlerRegistry | None = None,
    run_migrations: bool = True,
) -> Casedesk:
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()
    handlers = build_registry(settings) if handlers is None else handlers
    db = Database(make_engine(settings.database_url, echo=settings.sql_echo))
    if run_migrations:
        migrate(db.engine)
    definitions = DefinitionService(db, operators=set(handlers), clock=clock)
    runtime = Runtime(db, definitions, SandboxEnvironment(), handlers, clock, form_validator)
    return Casedesk(
        settings=settings, db=db, clock=clock, handlers=handlers, definitions=definitions,
        runtime=runtime, users=UserService(db, clock), history=HistoryService(db),
        archives=ArchiveService(db, clock),
        jobs=JobRunner(db, runtime, definitions, clock, settings.job_lease_seconds),
        incidents=IncidentService(db, runtime, clock),
    )
