"""Web fixtures: the Flask app over the `app` fixture's casedesk, a client per role, a started instance."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from tests.conftest import PASSWORD
from web.app import create_app

# One user per role the pages distinguish (added on top of tests/conftest.py's demo users).
ROLE_USERS: dict[str, list[str]] = {
    "anonymous": [],
    "clerk": ["clerk"],             # demo process: drafts and starts
    "reviewer": ["reviewer"],       # demo process: reviews
    "outsider": ["sales"],          # staff of an unrelated group
    "tracker": ["tracker"],
    "process_owner": ["process_owner"],
    "auditor": ["auditor"],
    "admin": ["admin"],
}


@pytest.fixture
def web(app: Casedesk) -> Iterator[Flask]:
    for role, groups in ROLE_USERS.items():
        if role != "anonymous":
            app.users.add_user(f"u_{role}", PASSWORD, groups)
    flask_app = create_app({"TESTING": True, "CASEDESK": app, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})
    yield flask_app


LoginAs = Callable[[str], FlaskClient]


def signed_in(web: Flask, user: str) -> FlaskClient:
    """A fresh client signed in as `user` (a demo organisation member, password PASSWORD)."""
    client = web.test_client()
    assert client.post("/login", data={"username": user, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def login_as(web: Flask) -> LoginAs:
    """A fresh client signed in as the role's user (`anonymous`: not signed in)."""
    def client_for(role: str, **form: Any) -> FlaskClient:
        client = web.test_client()
        if role != "anonymous":
            response = client.post("/login", data={"username": f"u_{role}", "password": PASSWORD, **form})
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client
    return client_for


class Scenario:
    """A demo instance started and drafted by the clerk, its review task waiting for the reviewers."""

    def __init__(self, app: Casedesk, claimed: bool = False):
        view = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="u_clerk")
        draft = view.ready_tasks[0]
        view = app.runtime.complete_task(draft.id, {"body": "Text"}, actor="u_clerk")
        self.instance_id = view.id
        self.task_id = view.ready_tasks[0].id
        if claimed:
            app.runtime.claim_task(self.task_id, actor="u_reviewer")

    def url_values(self) -> dict[str, str]:
        return {"instance_id": self.instance_id, "task_id": self.task_id, "filename": "document_review.bpmn",
                "key": "document_review", "code": "en"}
