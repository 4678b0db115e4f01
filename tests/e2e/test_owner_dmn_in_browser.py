"""In a real browser: a process owner edits an output cell of R-2.2.1's decision table (assignment.dmn)
in dmn-js, deploys it as a new version, and the new version's file holds the change (issue 16, item 2).
Screenshots in test-artifacts/e2e/."""
from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Shots, sign_in
from tests.support.modeler import newest_version

QUALITY = "Supplier chosen by the purchase plan; acceptance strictly against the contract (R-3.2.2); 已核對"


def test_owner_edits_a_decision_table_cell_in_dmn_js_and_deploys_a_new_version(browser: Any, server: str) -> None:
    shots = Shots("owner-dmn")
    errors: list[str] = []
    page = sign_in(browser, server, "en", "owen", errors=errors, console=True)
    before = newest_version(page, server, "processing")
    page.goto(f"{server}/owner/processes/processing/{before}")
    page.get_by_role("link", name="Edit the decision table").click()
    page.wait_for_selector("#decision-editor[data-rendered=true]")
    # The table itself is shown (not an empty DRD), its cells rendered by dmn-js.
    assert page.locator("#decision-editor .tjs-table td[data-element-id=rule_procurement_quality]").count() == 1
    assert errors == []  # the browser's console stays clean (CSP, fonts, styles all served locally)
    shots.take(page, "table-open")
    name = page.locator("#decision-form input[name=file]").input_value()  # as stored, e.g. case/assignment.dmn
    assert name.endswith("assignment.dmn")
    # Edit the procurement rule's quality requirement through dmn-js's own editing API, as typing in the cell would.
    page.evaluate("""(text) => {
        const viewer = window.casedeskDmnModeler.getActiveViewer();
        const cell = viewer.get('elementRegistry').get('rule_procurement_quality');
        viewer.get('modeling').editCell(cell.businessObject, JSON.stringify(text));
    }""", QUALITY)
    assert "已核對" in page.locator("td[data-element-id=rule_procurement_quality]").inner_text()
    shots.take(page, "table-edited")
    page.locator("#decision-deploy").click()
    page.wait_for_url(f"**/owner/processes/processing/{before + 1}")
    assert f"Deployed processing as version {before + 1}" in page.locator(".flash").first.inner_text()
    response = page.request.get(f"{server}/owner/processes/processing/{before + 1}/files/{name}")
    assert response.ok, (response.status, response.text()[-1500:])
    new = response.text()
    old = page.request.get(f"{server}/owner/processes/processing/{before}/files/{name}").text()
    assert f'"{QUALITY}"' in new and QUALITY not in old
    diagram = name.replace("assignment.dmn", "processing.bpmn")  # the rest of the bundle travels unchanged
    versions = [page.request.get(f"{server}/owner/processes/processing/{v}/files/{diagram}").text()
                for v in (before, before + 1)]
    assert versions[0] == versions[1] and "calledDecisionId" in versions[0]
    # The trial version is retired again, so new cases (and the other browser tests) run the shipped table.
    page.goto(f"{server}/owner/processes")
    page.locator(f"[data-process=processing] tr[data-version='{before + 1}']").get_by_role(
        "button", name="Retire").click()
    page.wait_for_url("**/owner/processes")
    assert page.locator(f"[data-process=processing] [data-retired-version='{before + 1}']").count() == 1
    page.context.close()
