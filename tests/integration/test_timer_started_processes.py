"""A process that only its timer starts (R-2.2.3 weekly report, R-4.2 checks, R-5 rounds) is not offered
to people: started by hand it would begin by waiting for the next occurrence of its timer."""
from __future__ import annotations

import pytest
from flask import Flask

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.errors import Conflict
from engine.models import ProcessInstance
from tests.conftest import PASSWORD
from web.app import create_app


@pytest.fixture
def reports(app: Casedesk) -> Casedesk:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "reports", PROJECT_ROOT / "forms"), "owen")
    app.users.add_user("tom", PASSWORD, ["tracker", "staff"])
    return app


def test_a_timer_started_process_cannot_be_started_by_hand_and_nothing_is_stored(reports: Casedesk) -> None:
    with pytest.raises(Conflict, match="cannot be started by hand"):
        reports.runtime.start_instance("weekly_progress", {}, actor="tom")
    with reports.db.unit_of_work(write=False) as session:
        assert session.query(ProcessInstance).count() == 0


def test_the_start_page_does_not_offer_a_timer_started_process(reports: Casedesk) -> None:
    web: Flask = create_app({"TESTING": True, "CASEDESK": reports, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False})
    client = web.test_client()
    assert client.post("/login", data={"username": "tom", "password": PASSWORD}).status_code == 302
    page = client.get("/start", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-process="weekly_progress"' not in page
    token = client.post("/api/v1/auth/tokens", json={"username": "tom", "password": PASSWORD}).get_json()["token"]
    listed = client.get("/api/v1/processes", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [p["can_start"] for p in listed if p["key"] == "weekly_progress"] == [False]  # the API says the same
