"""In a real browser, in zh-Hans, zh-Hant and en: a clerk starts a review and fills the draft (one invalid try),
a reviewer claims and approves it, an auditor opens the history (R-1.3: who did what, when)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import UI, Shots, sign_in, task_title


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant", "en"])
def test_demo_review_from_start_to_audit(browser: Any, server: str, language: str) -> None:
    ui, shots = UI[language], Shots(f"demo-review-{language}")
    title = f"Travel policy {language}"

    clerk = sign_in(browser, server, language, "alice")
    assert clerk.locator("html").get_attribute("lang") == language  # the browser's language is the default
    clerk.goto(f"{server}/start")
    card = clerk.locator("[data-process=document_review]")
    card.locator("input[name=title]").fill(title)
    shots.take(clerk, "start")
    card.get_by_role("button", name=ui["start"]).click()
    clerk.wait_for_url("**/tasks/*")
    # This case's own rows from here on: other browser tests leave review tasks in the same inbox.
    case_link = clerk.locator(".crumbs a[href*='/instances/']").first.get_attribute("href") or ""
    instance_id = case_link.rstrip("/").rsplit("/", 1)[-1]
    clerk.get_by_role("button", name=ui["complete"]).click()  # the required text left empty
    assert ui["form_error"] in clerk.locator(".error").inner_text()
    assert clerk.locator("[data-field=body].has-error .field-error").is_visible()
    shots.take(clerk, "draft-invalid")
    clerk.locator("[name=body]").fill("Staff travel is booked through the office.")
    clerk.get_by_role("button", name=ui["complete"]).click()
    clerk.wait_for_url("**/inbox")
    shots.take(clerk, "draft-done")

    reviewer = sign_in(browser, server, language, "rita")
    shots.take(reviewer, "inbox")
    mine = f"tr[data-instance='{instance_id}']"
    row = reviewer.locator(mine, has_text=task_title(language, "Review the document"))
    row.get_by_role("button", name=ui["claim"]).click()
    reviewer.wait_for_load_state()
    reviewer.locator(mine, has_text=task_title(language, "Review the document")).locator("a").first.click()
    reviewer.wait_for_url("**/tasks/*")
    assert title in reviewer.content()
    reviewer.locator("[name=decision]").select_option("approve")
    shots.take(reviewer, "review")
    reviewer.get_by_role("button", name=ui["complete"]).click()
    reviewer.wait_for_url("**/inbox")

    auditor = sign_in(browser, server, language, "audrey")
    auditor.get_by_role("link", name=ui["audit"]).click()
    auditor.locator(f"tr[data-instance='{instance_id}']").locator("a").first.click()
    auditor.wait_for_url("**/audit/*")
    assert ui["chain_ok"] in auditor.locator("[data-chain]").inner_text()
    history = auditor.locator("table.history").inner_text()
    assert "alice" in history and "rita" in history
    shots.take(auditor, "history")

    auditor.goto(auditor.url.replace("/audit/", "/instances/"))
    auditor.wait_for_selector("#diagram[data-rendered=true]")  # bpmn-js drew the pinned version
    assert auditor.locator("#diagram .cd-completed").count() >= 4  # start, prepare, draft, review … end
    shots.take(auditor, "instance")
    for page in (clerk, reviewer, auditor):
        page.context.close()
