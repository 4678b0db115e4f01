"""The case chain in a real browser, in zh-Hans, zh-Hant and en (R-2): an intake clerk starts a case,
fills the application with one invalid field and fixes it, the sales handler claims and completes
the processing (the tracker watching), the customer's feedback is recorded, and an auditor opens
the history."""
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import UI, Shots, complete, fill_application, sign_in, start_consultation, task_title


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant", "en"])
def test_case_from_consultation_to_feedback_and_audit(browser: Any, server: str, language: str) -> None:
    ui, shots = UI[language], Shots(f"case-chain-{language}")
    customer = f"Wang Xiaoming {language}"

    clerk = sign_in(browser, server, language, "ivy")
    # the question is answered on the spot and the customer applies.
    start_consultation(clerk, server, language, customer, question="How do I order? 如何下单？",
                       answer="Fill in the application. 填写申请表。")
    shots.take(clerk, "consultation")
    complete(clerk, language)

    # the application, first with a mobile number that is not one.
    assert clerk.locator("[name=customer_name]").input_value() == customer  # carried over from the consultation
    fill_application(clerk, "call me", "phone", "Order 500 units 订购500件", "Delivery in December.",
                     ("application_form", "identity_document", "contract"))
    complete(clerk, language)
    assert ui["form_error"] in clerk.locator(".error").inner_text()
    assert clerk.locator("[data-field=mobile].has-error .field-error").is_visible()
    assert clerk.locator("[name=mobile]").input_value() == "call me"  # what was typed is kept
    assert clerk.locator("[name=title]").input_value() == "Order 500 units 订购500件"
    assert clerk.locator("[name=materials][value=contract]").is_checked()
    shots.take(clerk, "application-invalid")
    clerk.locator("[name=mobile]").fill("+86 138 0000 0001")
    complete(clerk, language)
    # pre-review: nothing missing: the case gets its number.
    shots.take(clerk, "prereview")
    complete(clerk, language)
    clerk.wait_for_url("**/inbox")

    handler = sign_in(browser, server, language, "sam")
    row = handler.locator("tr[data-task]", has_text=task_title(language, "Handle the case")).first
    case_number = row.locator("td").nth(1).inner_text().strip()
    assert re.fullmatch(r"XS-\d{8}-\d{4}", case_number), case_number
    shots.take(handler, "handler-inbox")

    # the tracker sees the case waiting in the processing stage, with its due date.
    tracker = sign_in(browser, server, language, "tom")
    tracker.goto(f"{server}/tracker")
    stage = tracker.locator("[data-stage=processing]")
    assert case_number in stage.inner_text()
    shots.take(tracker, "tracker")
    tracker.goto(f"{server}/tracker/report?period=all")
    assert tracker.locator("svg.chart").count() >= 1
    shots.take(tracker, "report")
    tracker.context.close()
    row.get_by_role("button", name=ui["claim"]).click()
    handler.wait_for_load_state()
    handler.locator("tr[data-task]", has_text=task_title(language, "Handle the case")).first.locator("a").first.click()
    handler.wait_for_url("**/tasks/*")
    handler.locator("[name=outcome][value=done]").check()  # a radio group (UI schema)
    handler.locator("[name=result]").fill("Contract signed. 合同已签订。")
    shots.take(handler, "handle-case")
    complete(handler, language)
    # by phone: the handler records the call, then the customer's opinion.
    handler.wait_for_url("**/tasks/*")
    handler.locator("[name=reached]").check()
    handler.locator("[name=call_note]").fill("Told Mr Wang the result at 10:05.")
    complete(handler, language)
    handler.wait_for_url("**/tasks/*")
    handler.locator("[name=satisfaction][value=satisfied]").check()  # a radio group (UI schema)
    handler.locator("[name=opinion]").fill("Quick and clear. 快捷清楚。")
    shots.take(handler, "feedback")
    complete(handler, language)
    handler.wait_for_url("**/inbox")

    auditor = sign_in(browser, server, language, "audrey")
    auditor.get_by_role("link", name=ui["audit"]).click()
    auditor.locator("input[name=case_number]").fill(case_number)
    auditor.locator("form.filters button").click()
    auditor.locator("tr[data-instance]", has_text=case_number).locator("a").click()
    auditor.wait_for_url("**/audit/*")
    assert ui["chain_ok"] in auditor.locator("[data-chain]").inner_text()
    history = auditor.locator("table.history").inner_text()
    assert "Quick and clear" in history and "ivy" in history and "sam" in history
    shots.take(auditor, "history")
    auditor.goto(auditor.url.replace("/audit/", "/instances/"))
    auditor.wait_for_selector("#diagram[data-rendered=true]")
    shots.take(auditor, "instance")
    for page in (clerk, handler, auditor):
        page.context.close()
