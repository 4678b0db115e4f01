"""In a real browser against `casedesk serve` (two workers): the SMS gateway is not configured, the clerk's
pre-review is saved anyway and the clerk is told so in plain words; the administrator sees the waiting
notice among the scheduled jobs, with its error (issue 13, items 2 and 8)."""
from __future__ import annotations

import re
from typing import Any, Iterator

import pytest

from tests.e2e.conftest import Shots, complete, fill_application, sign_in, start_consultation
from tests.support.served import Served, served_casedesk

PASSWORD = "notice-failure-1"
TEXT = {"en": {"saved": "Your input is saved.", "jobs": "Scheduled jobs", "retry": "Retry"},
        "zh-Hans": {"saved": "您填写的内容已保存", "jobs": "计划作业", "retry": "重试"},
        "zh-Hant": {"saved": "您填寫的內容已保存", "jobs": "計劃作業", "retry": "重試"}}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Served]:
    # The set-up: notices really sent, but no SMS gateway configured.
    with served_casedesk(tmp_path_factory.mktemp("notice-failure"), PASSWORD, web_workers=2,
                         extra_env={"CASEDESK_NOTIFY_TRANSPORT": "network", "CASEDESK_SMS_GATEWAY_URL": ""}) as running:
        yield running


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant", "en"])
def test_a_failing_sms_notice_keeps_the_pre_review_and_the_administrator_sees_it(
        browser: Any, served: Served, language: str) -> None:
    base, text, shots = served.base_url, TEXT[language], Shots(f"notice-failure-{language}")
    clerk = sign_in(browser, base, language, "ivy", PASSWORD)
    start_consultation(clerk, base, language, f"Li Lei {language}", answer="Apply.")
    complete(clerk, language)
    fill_application(clerk, "+86 138 0000 0002", "sms", "Order 20 units", "Soon.")
    complete(clerk, language)
    clerk.locator("[name=missing_items][value=identity_document]").check()  # the notice must go by SMS
    complete(clerk, language)

    body = clerk.locator("body").inner_text()
    shots.take(clerk, "input-saved")
    assert text["saved"] in body
    assert "notify_customer" not in body and "CASEDESK_SMS_GATEWAY_URL" not in body and not UUID.search(body)

    admin = sign_in(browser, base, language, "root", PASSWORD)
    admin.goto(f"{base}/admin/jobs")
    assert text["jobs"] in admin.locator("h1").inner_text()
    rows = admin.locator("table.jobs tr", has_text="send_notice").all()
    assert rows and all(text["retry"] in row.inner_text() for row in rows)  # the notice waits for its retry
    assert "SMS is not configured" in rows[-1].inner_text()  # and administrators see why
    shots.take(admin, "scheduled-retry")
