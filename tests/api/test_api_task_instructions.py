"""GET /api/v1/tasks/{id} returns the task's instructionsForEndUser rendered over the case data."""
from __future__ import annotations

from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files

from .conftest import Headers

CONVENTIONS = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "conventions"


def test_a_task_carries_its_instructions_as_markdown_and_safe_html(
        app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    app.definitions.deploy(collect_files(CONVENTIONS), "owen")
    started = app.runtime.start_instance("answer_request", {"customer": "<img src=x onerror=alert(1)>Li",
                                                            "items": ["passport copy"]}, actor="alice")

    body = client.get(f"/api/v1/tasks/{started.ready_tasks[0].id}", headers=auth("alice")).json

    assert body["instructions"].startswith("## Answer <img src=x onerror=alert(1)>Li\n\nThe request arrived on "
                                           "**2026-01-05**. Answer by 2026-01-19.")
    assert body["instructions_html"].startswith("<h2>Answer &lt;img src=x onerror=alert(1)&gt;Li</h2>")
    assert "<li>passport copy</li>" in body["instructions_html"] and "<img" not in body["instructions_html"]
    assert body["instructions_error"] is None


def test_a_broken_template_is_reported_in_the_task_not_as_a_server_error(
        app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    app.definitions.deploy(collect_files(CONVENTIONS), "owen")
    started = app.runtime.start_instance("divide_fee", {"fee": 100}, actor="alice")

    response = client.get(f"/api/v1/tasks/{started.ready_tasks[0].id}", headers=auth("alice"))

    assert response.status_code == 200
    assert response.json["instructions"] == "" and response.json["instructions_html"] == ""
    assert response.json["instructions_error"].startswith("The instructions for this task could not be shown (")
    assert "'nope'" in response.json["instructions_error"]


def test_a_task_without_instructions_has_empty_ones(app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    body = client.get(f"/api/v1/tasks/{started.ready_tasks[0].id}", headers=auth("alice")).json
    assert (body["instructions"], body["instructions_html"], body["instructions_error"]) == ("", "", None)


def test_each_instance_of_a_multi_instance_task_shows_instructions_over_its_own_item(
        app: Casedesk, client: FlaskClient, auth: Headers) -> None:
    app.definitions.deploy(collect_files(CONVENTIONS), "owen")
    started = app.runtime.start_instance("check_documents", {"applicant": "Li Wei",
                                                             "documents": ["passport", "diploma"]}, actor="alice")
    app.runtime.warm.clear()  # what the task kept is in the database, not only in a warm workflow

    shown = sorted(client.get(f"/api/v1/tasks/{task.id}", headers=auth("alice")).json["instructions_html"]
                   for task in started.ready_tasks)

    assert shown == ["<p>Check the <strong>diploma</strong> of Li Wei.</p>\n",
                     "<p>Check the <strong>passport</strong> of Li Wei.</p>\n"]
