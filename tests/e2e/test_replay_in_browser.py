"""In a real browser: an auditor replays a case, steps through its history on the diagram (tokens and
completed elements at each event), and opens the process's activity heatmap (issue 6)."""
from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect  # not wait_for_function: the pages' CSP forbids eval

from tests.e2e.conftest import Shots, sign_in


def test_an_auditor_steps_through_a_case_on_the_diagram(browser: Any, server: str) -> None:
    shots = Shots("replay-stepper-en")
    clerk = sign_in(browser, server, "en", "alice")  # the demo review's clerk
    clerk.goto(f"{server}/start")
    card = clerk.locator("[data-process=document_review]")
    card.locator("input[name=title]").fill("Replay in the browser")
    card.get_by_role("button", name="Start").click()
    clerk.wait_for_url("**/tasks/*")
    case_link = clerk.locator(".crumbs a[href*='/instances/']").first.get_attribute("href") or ""
    instance_id = case_link.rstrip("/").rsplit("/", 1)[-1]
    clerk.locator("[name=body]").fill("Text to review")
    clerk.get_by_role("button", name="Complete").click()
    clerk.wait_for_url("**/inbox")

    auditor = sign_in(browser, server, "en", "audrey")
    auditor.goto(f"{server}/audit/{instance_id}")
    auditor.get_by_role("link", name="Replay and step through").click()
    auditor.wait_for_url("**/replay")
    assert auditor.locator("#replay-report").get_attribute("data-verified") == "true"
    auditor.wait_for_selector("#replay-diagram[data-rendered=true]")
    last = int(auditor.locator("#stepper").get_attribute("data-last") or 0)
    expect(auditor.locator("#step-label")).to_have_text(re.compile(f"^#{last} "))
    review = auditor.locator("#replay-diagram [data-element-id=review]").first
    assert "cd-active" in (review.get_attribute("class") or "")  # the case waits for its review
    assert "cd-completed" in (auditor.locator("#replay-diagram [data-element-id=draft]").first
                              .get_attribute("class") or "")
    shots.take(auditor, "last-event")

    auditor.locator("[data-step=first]").click()
    expect(auditor.locator("#step-label")).to_have_text(re.compile("^#1 "))
    assert "alice" in auditor.locator("#step-actors").inner_text()
    assert "cd-active" not in (review.get_attribute("class") or "")
    for _ in range(3):
        auditor.locator("[data-step=next]").click()
    expect(auditor.locator("#step-label")).to_have_text(re.compile("^#4 "))
    # Event 4: the draft became ready — the token sits on the draft task, start and prepare are done.
    assert "cd-active" in (auditor.locator("#replay-diagram [data-element-id=draft]").first
                           .get_attribute("class") or "")
    assert "cd-completed" in (auditor.locator("#replay-diagram [data-element-id=prepare]").first
                              .get_attribute("class") or "")
    assert "draft" in auditor.locator("#step-tokens").inner_text()
    shots.take(auditor, "event-4")

    auditor.goto(f"{server}/audit/heatmap/document_review")
    auditor.wait_for_selector("#heatmap-diagram[data-rendered=true]")
    assert auditor.locator("#heatmap-diagram .cd-count").count() >= 4
    shots.take(auditor, "heatmap")
