"""In a real browser: a process owner edits a diagram in the bpmn-js modeler, deploys it as a new
version, sees it in the viewer and in the diff (issue 5, item 4). Screenshots in test-artifacts/e2e/."""
from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Shots, sign_in
from tests.support.modeler import newest_version, open_modeler

RENAMED = "Published and filed 已發布"


def test_owner_edits_in_the_modeler_and_deploys_a_new_version(browser: Any, server: str) -> None:
    shots = Shots("owner-modeler")
    errors: list[str] = []
    page = sign_in(browser, server, "en", "owen", errors=errors, console=True)
    before = newest_version(page, server, "document_review")
    open_modeler(page, server, "document_review", before)
    assert page.locator("#modeler .djs-element[data-element-id=end]").count() == 1
    assert errors == []  # the browser's console stays clean (a wrong modeler setting once logged an error)
    shots.take(page, "modeler-open")
    # Rename the end event through the modeler's own editing API, as the properties editing would.
    page.evaluate("""(name) => {
        const modeler = window.casedeskModeler;
        const end = modeler.get('elementRegistry').get('end');
        modeler.get('modeling').updateLabel(end, name);
    }""", RENAMED)
    shots.take(page, "modeler-edited")
    page.locator("#modeler-deploy").click()
    page.wait_for_url(f"**/owner/processes/document_review/{before + 1}")
    assert f"Deployed document_review as version {before + 1}" in page.locator(".flash").first.inner_text()
    page.wait_for_selector("#owner-diagram[data-rendered=true]")
    assert RENAMED in page.locator("#owner-diagram").inner_text()
    shots.take(page, "new-version-in-viewer")
    page.goto(f"{server}/owner/processes/document_review/diff?old={before}&new={before + 1}")
    assert page.locator("tr[data-element=end][data-change=changed]").count() == 1
    shots.take(page, "diff")
    page.context.close()
