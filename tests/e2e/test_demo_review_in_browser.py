"""In a real browser, in zh-Hans, zh-Hant and en: a clerk starts a review and fills the draft (one invalid try),
a reviewer claims and approves it, an auditor opens the history (R-1.3: who did what, when)."""
from __future__ import annotations

import json
from typing import Any

import pytest

from engine.config import PROJECT_ROOT
from tests.e2e.conftest import Shots, sign_in_page

# What a user reads on the buttons, per language: the test clicks what people click.
UI = {
    "en": {"sign_in": "Sign in", "start": "Start", "complete": "Complete", "claim": "Claim", "audit": "Audit",
           "form_error": "The form has errors", "chain_ok": "Hash chain intact", "inbox": "Inbox"},
    "zh-Hans": {"sign_in": "登录", "start": "发起", "complete": "提交", "claim": "认领", "audit": "审计",
                "form_error": "表单有错误", "chain_ok": "哈希链完整", "inbox": "待办"},
    "zh-Hant": {"sign_in": "登錄", "start": "發起", "complete": "提交", "claim": "認領", "audit": "審計",
                "form_error": "表單有錯誤", "chain_ok": "哈希鏈完整", "inbox": "待辦"},
}
BROWSER_LOCALE = {"en": "en-US", "zh-Hans": "zh-CN", "zh-Hant": "zh-TW"}


def task_title(language: str, english: str) -> str:
    """A task's name as the inbox shows it in `language`: from the bundles' catalogues (processes/**/*.i18n.json)."""
    if language == "en":
        return english
    for catalogue in sorted((PROJECT_ROOT / "processes").rglob(f"*.{language}.i18n.json")):
        translated = json.loads(catalogue.read_text(encoding="utf-8"))["messages"].get(english)
        if translated:
            return str(translated)
    return english


def sign_in(browser: Any, server: str, language: str, username: str) -> Any:
    context = browser.new_context(locale=BROWSER_LOCALE[language], timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in_page(page, server, username, button=UI[language]["sign_in"])
    return page


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
