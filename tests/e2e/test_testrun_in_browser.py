"""In a real browser: a process owner test-runs the demo review with a script and sees the path on the
diagram — elements and sequence flows taken marked completed, the element it stopped at marked waiting."""
from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import sign_in

SCRIPT = {"data": {"title": "Browser test run"},
          "answers": {"draft": [{"body": "v1"}, {"body": "v2"}],
                      "review": [{"decision": "send_back"}]}}


def _marked(page: Any, element: str) -> str:
    return page.locator(f"#diagram [data-element-id={element}]").first.get_attribute("class") or ""


def test_an_owner_sees_a_test_run_path_on_the_diagram(browser: Any, server: str) -> None:
    owner = sign_in(browser, server, "en", "owen")
    owner.goto(f"{server}/owner/processes/document_review/1")
    owner.get_by_role("link", name="Test cases and test runs").click()
    owner.locator("textarea[name=script]").fill(json.dumps(SCRIPT))
    owner.get_by_role("button", name="Run", exact=True).click()
    owner.wait_for_selector("#diagram[data-rendered=true]")
    assert owner.locator("#test-run").get_attribute("data-stop") == "user_task"
    assert owner.locator("#test-run").get_attribute("data-stop-element") == "review"
    for element in ("prepare", "draft", "approved_gateway", "flow_rejected", "flow_draft_review"):
        assert "cd-completed" in _marked(owner, element), element
    assert "cd-completed" not in _marked(owner, "flow_approved")
    assert "cd-completed" not in _marked(owner, "publish")
    assert "cd-active" in _marked(owner, "review")  # waiting there: no second review answer
