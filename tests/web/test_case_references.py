"""Every case has a readable reference from its start (issue 13, item 6): a consultation that never
becomes a business case is named `C-20261130-0001`, not by an id; a case number (R-2.1.3) takes over."""
from __future__ import annotations

import re

import pytest

from flask import Flask

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.errors import Forbidden
from engine.runtime.references import references_of
from tests.web.conftest import LoginAs

REFERENCE = re.compile(r"C-\d{8}-\d{4}")


def _reference(app: Casedesk, instance_id: str) -> str:
    with app.db.unit_of_work(write=False) as session:
        return references_of(session.connection(), [instance_id])[instance_id]


def test_cases_started_on_one_day_are_numbered_in_order_without_gaps(web: Flask, app: Casedesk, clock: FakeClock) -> None:
    first = app.runtime.start_instance("document_review", {"title": "One"}, actor="u_clerk")
    second = app.runtime.start_instance("document_review", {"title": "Two"}, actor="u_clerk")
    day = clock.now().strftime("%Y%m%d")
    assert (_reference(app, first.id), _reference(app, second.id)) == (f"C-{day}-0001", f"C-{day}-0002")


def test_a_refused_start_takes_no_number(web: Flask, app: Casedesk, clock: FakeClock) -> None:
    with pytest.raises(Forbidden):
        app.runtime.start_instance("document_review", {"title": "No"}, actor="u_outsider")
    started = app.runtime.start_instance("document_review", {"title": "Yes"}, actor="u_clerk")
    assert _reference(app, started.id).endswith("-0001")


def test_staff_read_the_reference_of_a_consultation_only_case_never_its_id(
        app: Casedesk, login_as: LoginAs) -> None:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "case", PROJECT_ROOT / "forms"), "owen")
    app.users.add_user("u_intake", "correct-horse-1", ["intake", "staff"])
    clerk = login_as("clerk")
    started = clerk.post("/start/document_review", data={"title": "Travel policy"}, follow_redirects=True)
    page = started.get_data(as_text=True)
    assert REFERENCE.search(page) and "Document review" in page and "“document_review”" not in page
    view = app.runtime.start_instance("business_case", {}, actor="u_intake")
    reference = _reference(app, view.id)
    tracker = login_as("tracker")
    for url in ("/instances", f"/instances/{view.id}", "/tracker"):
        text = tracker.get(url).get_data(as_text=True)
        assert reference in text and f">{view.id[:8]}<" not in text, url


def test_the_inbox_history_and_replay_name_a_case_by_its_reference_never_a_dash_or_its_id(
        app: Casedesk, login_as: LoginAs) -> None:
    """A leave request or a document review has no case number (R-2.1.3 numbers business cases only), yet
    the reviewer's inbox row, the auditor's history and replay headings name it as the start page did."""
    started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="u_clerk")
    app.runtime.complete_task(started.ready_tasks[0].id, {"body": "Text"}, actor="u_clerk")
    reference = _reference(app, started.id)
    inbox = login_as("reviewer").get("/inbox").get_data(as_text=True)
    row = inbox[inbox.index(f'data-instance="{started.id}"'):]
    assert f"<td>{reference}</td>" in row[:row.index("</tr>")]
    auditor = login_as("auditor")
    for url in (f"/audit/{started.id}", f"/audit/{started.id}/replay"):
        heading = auditor.get(url).get_data(as_text=True).split("<h1>", 1)[1].split("</h1>", 1)[0]
        assert reference in heading and started.id not in heading, url


def test_a_list_of_cases_reads_their_references_in_one_query(web: Flask, app: Casedesk) -> None:
    from sqlalchemy import event

    from web.case_labels import case_label, remember_case_labels
    ids = [app.runtime.start_instance("document_review", {"title": f"T{i}"}, actor="u_clerk").id for i in range(5)]
    statements: list[str] = []
    engine = app.db.engine

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)
    event.listen(engine, "before_cursor_execute", count)
    try:
        with web.test_request_context("/"):
            remember_case_labels(ids)
            labels = [case_label(i) for i in ids]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert labels == [_reference(app, i) for i in ids]
    assert len([s for s in statements if "case_reference" in s]) == 1
