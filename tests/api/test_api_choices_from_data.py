"""R-6.4 over the API: the archive number of a borrowing application is one the caller may borrow,
checked against the same source the web form offers (`x-choices-from: archive_numbers`)."""
from __future__ import annotations

from flask.testing import FlaskClient

from casework.archive_register import open_archive, request_borrowing
from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from tests.conftest import PASSWORD

from .conftest import Headers, error_of


def test_r_6_4_an_archive_the_caller_already_waits_for_is_refused_and_nothing_is_stored(
        app: Casedesk, clock: FakeClock, client: FlaskClient, auth: Headers) -> None:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "archive", PROJECT_ROOT / "forms"), "owen")
    app.users.add_user("sam", PASSWORD, ["staff"])
    with app.db.transaction() as conn:
        sales = open_archive(conn, clock.now(), "XS-20260101-0001", "sales", "Order", ["contract"], None)
    waiting = app.runtime.start_instance("archive_borrowing", {}, actor="sam")
    with app.db.transaction() as conn:
        request_borrowing(conn, clock.now(), waiting.id, sales, "audit", 3)
    view = app.runtime.start_instance("archive_borrowing", {}, actor="sam")
    task_id = view.ready_tasks[0].id
    events = len(app.history.events(view.id))

    data = {"archive_number": sales, "purpose": "audit", "days": 3}
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data}, headers=auth("sam"))
    assert response.status_code == 422
    assert "archive_number" in error_of(response)["fields"]
    assert len(app.history.events(view.id)) == events
