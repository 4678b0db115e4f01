"""In a real browser (issue 16, item 2): a process owner creates a new decision table for R-2.2.1's processing —
inputs and outputs named on a form, its rule written in dmn-js — goes on to the modeler, where the assignment
task chooses the new table in the properties panel, and a test run of the draft uses it. Nothing is deployed.
Screenshots in test-artifacts/e2e/owner-new-decision/."""
from __future__ import annotations

import json
from typing import Any

from lxml import etree

from tests.e2e.conftest import WIDE, Shots, sign_in
from tests.support.modeler import SPIFF, show_in_panel

OUTPUTS = ["department", "deadline", "warn_after", "quality_requirement"]
RULE = ['"general"', '"finance"', '"P2D"', '"P1D"', '"Booked by finance (R-2.2.1)"']


def test_owner_creates_a_decision_table_chooses_it_in_the_panel_and_test_runs_it(browser: Any,
                                                                                 server: str) -> None:
    shots = Shots("owner-new-decision")
    errors: list[str] = []
    page = sign_in(browser, server, "en", "owen", viewport=WIDE, errors=errors)
    page.goto(f"{server}/owner/processes")
    versions = page.locator("[data-process=processing] tr[data-version]").count()
    page.locator("[data-process=processing] tr[data-version]").first.locator("a").first.click()
    page.locator("#add-decision").click()
    form = page.locator("#new-decision-form")
    form.locator("input[name=file]").fill("routing_by_type")
    form.locator("input[name=decision_id]").fill("routing_by_type")
    form.locator("input[name=decision_name]").fill("Routing by business type")
    form.locator("textarea[name=inputs]").fill("business_type")
    form.locator("textarea[name=outputs]").fill("\n".join(OUTPUTS))
    page.get_by_role("button", name="Open a blank table").click()
    page.wait_for_selector("#decision-editor[data-rendered=true]")
    assert page.locator("#decision-new").is_visible()
    header = page.locator("#decision-editor .tjs-table thead").inner_text()
    assert all(name in header for name in ["business_type", *OUTPUTS]), header
    # The owner's one rule, written through dmn-js's own editing API, as typing in the cells would.
    page.evaluate("""(texts) => {
        const viewer = window.casedeskDmnModeler.getActiveViewer();
        const row = viewer.get('modeling').addRow({ type: 'dmn:DecisionRule' });
        row.cells.forEach((cell, n) => viewer.get('modeling').editCell(cell.businessObject, texts[n]));
    }""", RULE)
    assert "Booked by finance" in page.locator("#decision-editor .tjs-table tbody").inner_text()
    shots.take(page, "new-table")
    page.get_by_role("button", name="Check it and go on to the modeler").click()

    page.wait_for_selector("#modeler[data-rendered=true]")
    assert page.locator("[data-carried$='routing_by_type.dmn']").is_visible()
    show_in_panel(page, "assign_department")
    decision = page.locator("#bio-properties-panel-casedesk-decision")
    assert decision.input_value() == "assignment"
    decision.select_option("routing_by_type")
    page.wait_for_function("() => window.casedeskModeler.saveXML().then((r) => r.xml.includes("
                           "'<spiffworkflow:calledDecisionId>routing_by_type<'))")
    xml = page.evaluate("() => window.casedeskModeler.saveXML().then((r) => r.xml)")
    called = etree.fromstring(xml.encode()).findall(f".//{{{SPIFF}}}calledDecisionId")
    assert [c.text for c in called] == ["routing_by_type"]
    shots.take(page, "chosen-in-panel")

    page.locator("#modeler-test-script").fill(json.dumps({
        "data": {"business_type": "general"}, "answers": {"handle_case": [{"outcome": "done", "result": "Booked"}]}}))
    page.get_by_role("button", name="Run the draft").click()
    page.wait_for_selector("#modeler-test-run[data-stop=completed]")
    assigned = page.locator("#modeler-test-steps tr[data-element=assign_department]").inner_text()
    assert '"department":"finance"' in assigned and "Booked by finance (R-2.2.1)" in assigned
    shots.take(page, "test-run-with-new-table")
    page.goto(f"{server}/owner/processes")
    assert page.locator("[data-process=processing] tr[data-version]").count() == versions  # nothing deployed
    assert errors == []
    page.context.close()
