"""The Alembic migrations build exactly the schema the models describe, on both databases."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.bootstrap import Casedesk
from engine.models import Base
from engine.persistence import migrate


def test_migrated_schema_matches_the_models(app: Casedesk) -> None:
    with app.db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_migrating_twice_changes_nothing(app: Casedesk) -> None:
    migrate(app.db.engine)
    assert app.runtime.start_instance("document_review", {"title": "t"}, actor="alice").status == "running"
