"""A field needed only in one situation (if/then) is marked required in the browser while that situation
holds (R-2.1.1: the answer, when the question is answered on the spot); the server still decides."""
from __future__ import annotations

from typing import Any

from tests.e2e.conftest import UI, sign_in


def test_the_answer_becomes_required_when_the_question_is_answered_on_the_spot(browser: Any, server: str) -> None:
    clerk = sign_in(browser, server, "en", "ivy")
    clerk.goto(f"{server}/start")
    clerk.locator("[data-process=business_case]").get_by_role("button", name=UI["en"]["start"]).click()
    clerk.wait_for_url("**/tasks/*")
    answer, star = clerk.locator("[name=answer]"), clerk.locator("[data-field=answer] .req")

    assert not answer.evaluate("e => e.required") and star.is_hidden()
    assert clerk.locator("[name=question]").evaluate("e => e.required")  # always needed
    clerk.locator("[name=answered_now]").check()
    assert answer.evaluate("e => e.required") and star.is_visible()
    clerk.locator("[name=answered_now]").uncheck()
    assert not answer.evaluate("e => e.required") and star.is_hidden()
    clerk.context.close()
