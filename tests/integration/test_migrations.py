"""The Alembic migrations build exactly the schema the models describe, on both databases."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from engine.bootstrap import Casedesk
from engine.models import Base
from engine.persistence import migrate


# Built by its migration on PostgreSQL only (a trigram index for case-number search): not in the models.
POSTGRES_ONLY_INDEXES = {"ix_process_instance_business_key_trgm"}


def _declared(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    return not (type_ == "index" and reflected and name in POSTGRES_ONLY_INDEXES)


def test_migrated_schema_matches_the_models(app: Casedesk) -> None:
    with app.db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _declared})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_case_number_search_uses_the_trigram_index_on_postgresql(app: Casedesk) -> None:
    if app.db.engine.dialect.name != "postgresql":
        return  # SQLite scans; its lists stay small
    with app.db.engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))  # an empty table would otherwise be scanned anyway
        plan = "\n".join(conn.execute(text(
            "EXPLAIN SELECT id FROM process_instance WHERE business_key LIKE '%' || :fragment || '%'"),
            {"fragment": "2026-00"}).scalars())
    assert "ix_process_instance_business_key_trgm" in plan


def test_migrating_twice_changes_nothing(app: Casedesk) -> None:
    migrate(app.db.engine)
    assert app.runtime.start_instance("document_review", {"title": "t"}, actor="alice").status == "running"
