"""A task's instructionsForEndUser on the task page: Markdown over the case data, never raw HTML, and a
broken template explains itself instead of failing the page."""
from __future__ import annotations

import pytest

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from tests.web.conftest import LoginAs

CONVENTIONS = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "conventions"
HOSTILE_NAME = "<script>alert('owned')</script>Li Wei"


@pytest.fixture
def conventions(app: Casedesk) -> Casedesk:
    app.definitions.deploy(collect_files(CONVENTIONS), "owen")
    return app


def test_the_task_page_shows_the_instructions_as_markdown_over_the_case_data(
        conventions: Casedesk, login_as: LoginAs) -> None:
    started = conventions.runtime.start_instance(
        "answer_request", {"customer": HOSTILE_NAME, "items": ["passport copy", "**bold** claim"]}, actor="u_clerk")
    response = login_as("clerk").get(f"/tasks/{started.ready_tasks[0].id}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h2>Answer &lt;script&gt;alert('owned')&lt;/script&gt;Li Wei</h2>" in page  # data shown as text
    assert "<script>alert" not in page
    assert "The request arrived on <strong>2026-01-05</strong>. Answer by 2026-01-19." in page
    assert "<li>passport copy</li>" in page and "<li><strong>bold</strong> claim</li>" in page


def test_a_broken_template_shows_a_clear_message_and_the_form_still_works(
        conventions: Casedesk, login_as: LoginAs) -> None:
    started = conventions.runtime.start_instance("divide_fee", {"fee": 100}, actor="u_clerk")
    task_id = started.ready_tasks[0].id
    response = login_as("clerk").get(f"/tasks/{task_id}")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The instructions for this task could not be shown." in page
    assert "has no attribute &#39;nope&#39;" in page  # the reason, for the process owner
    assert f'action="/tasks/{task_id}"' in page  # the task can still be worked


def test_the_instructions_are_in_chinese_on_a_chinese_page(conventions: Casedesk, login_as: LoginAs) -> None:
    started = conventions.runtime.start_instance("divide_fee", {"fee": 100}, actor="u_clerk")
    client = login_as("clerk")
    page = client.get(f"/tasks/{started.ready_tasks[0].id}", headers={"Accept-Language": "zh-Hans"})
    assert "此任务的说明无法显示" in page.get_data(as_text=True)
