"""The served app answers its health check from the database it is configured with."""
from __future__ import annotations

from engine.bootstrap import Casedesk, bootstrap
from engine.config import Settings
from web.app import create_app


def test_health_reports_the_database_and_deployed_definitions(app: Casedesk) -> None:
    app.runtime.start_instance("document_review", {"title": "t"}, actor="alice")
    client = create_app({"CASEDESK": app, "TESTING": True}).test_client()

    answer = client.get("/healthz")

    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "database": app.db.engine.dialect.name,
                                 "definitions": 1, "running_instances": 1, "broken_definitions": []}


def test_health_is_503_when_the_database_does_not_answer() -> None:
    unreachable = bootstrap(Settings(database_url="postgresql://nobody@127.0.0.1:1/none"), run_migrations=False)
    try:
        answer = create_app({"CASEDESK": unreachable, "TESTING": True}).test_client().get("/healthz")
    finally:
        unreachable.close()

    assert answer.status_code == 503 and answer.get_json()["status"] == "error"
