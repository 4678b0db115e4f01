"""The account page switches the task digest off and on (issue 13 item 10); the Inbox entry shows my counts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

from engine.bootstrap import Casedesk
from tests.web.conftest import LoginAs, Scenario


def test_a_user_switches_the_digest_off_and_sets_an_address_on_the_account_page(
        app: Casedesk, login_as: LoginAs) -> None:
    reviewer = login_as("reviewer")
    page = reviewer.get("/account").get_data(as_text=True)
    assert 'name="digest" checked' in page and "u_reviewer@casedesk.local" in page
    saved = reviewer.post("/account/notifications", data={"email": "rev@example.org", "language": "zh-Hant"})
    assert saved.status_code == 302
    setting = app.digest.setting("u_reviewer")
    assert (setting.digest, setting.email, setting.language) == (False, "rev@example.org", "zh-Hant")
    assert 'name="digest" checked' not in reviewer.get("/account").get_data(as_text=True)

    refused = reviewer.post("/account/notifications", data={"digest": "on", "email": "not an address"})
    assert refused.status_code == 422
    assert app.digest.setting("u_reviewer").digest is False  # nothing stored
    assert app.digest.setting("u_clerk").digest is True  # one user's choice is theirs alone


def test_the_inbox_entry_counts_my_ready_and_overdue_tasks(app: Casedesk, login_as: LoginAs) -> None:
    reviewer = login_as("reviewer")
    assert 'data-count="ready"' not in reviewer.get("/inbox").get_data(as_text=True)
    Scenario(app)
    Scenario(app)
    page = reviewer.get("/inbox").get_data(as_text=True)
    assert 'data-count="ready" title="Ready tasks for me">2<' in page
    assert 'data-count="overdue"' not in page
    assert 'data-count="ready"' not in login_as("auditor").get("/inbox").get_data(as_text=True)
    app.clock.advance(timedelta(days=400))  # the demo review has no due date: never overdue
    assert 'data-count="overdue"' not in reviewer.get("/inbox").get_data(as_text=True)


def test_pages_still_render_when_the_inbox_counts_cannot_be_read(
        app: Casedesk, login_as: LoginAs, monkeypatch: pytest.MonkeyPatch) -> None:
    reviewer = login_as("reviewer")
    Scenario(app)

    def unavailable(*args: object) -> None:
        raise OperationalError("select count(*)", {}, Exception("server closed the connection"))

    monkeypatch.setattr(app.digest, "counts", unavailable)
    page = reviewer.get("/inbox")
    assert page.status_code == 200 and 'data-count="ready"' not in page.get_data(as_text=True)
