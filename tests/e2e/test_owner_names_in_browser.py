"""In a real browser (issue 16, per-language names): a process owner gives the draft task of the document review a
new Simplified Chinese name in the modeler's "Names in other languages" group (markup refused in the field, and
by the deploy, which stores nothing and gives back the drawing and every typed name), renames another task in
English and sees its translations stay with it, deploys, and a clerk reading in Simplified Chinese sees the new
name in her inbox and on the task page. Screenshots in test-artifacts/e2e/owner-names/."""
from __future__ import annotations

from typing import Any

from tests.e2e.conftest import PASSWORD, WIDE, Shots, sign_in
from tests.support.modeler import Api, newest_version, open_group, open_modeler, show_in_panel

DRAFT_ZH = "起草正式文件"
PREPARE_EN = "Open the document record"
NAMES = "group-casedesk-names"  # the panel's "Names in other languages"


def test_owner_names_a_task_in_chinese_in_the_panel_and_a_chinese_reader_sees_it(browser: Any, server: str) -> None:
    shots = Shots("owner-names")
    errors: list[str] = []
    page = sign_in(browser, server, "en", "owen", viewport=WIDE, errors=errors)
    before = newest_version(page, server, "document_review")
    open_modeler(page, server, "document_review", before)

    # The draft task: each language's field shows the catalogue's name and takes a new one.
    page.locator("#modeler .djs-element[data-element-id=draft]").click()
    group = open_group(page, NAMES)
    hans = page.locator("#bio-properties-panel-casedesk-name-zh-Hans")
    assert hans.input_value() == "起草文件"
    assert page.locator("#bio-properties-panel-casedesk-name-zh-Hant").input_value() == "起草文件"
    hans.fill("<b>起草</b>")
    entry = group.locator("[data-entry-id=casedesk-name-zh-Hans]")
    assert "Plain text only" in entry.locator(".bio-properties-panel-error").inner_text()
    shots.take(page, "markup-refused")

    # Renamed in English, the script task keeps its translations.
    page.evaluate("""(name) => {
        const modeler = window.casedeskModeler;
        modeler.get('modeling').updateLabel(modeler.get('elementRegistry').get('prepare'), name);
    }""", PREPARE_EN)
    show_in_panel(page, "prepare", NAMES)
    assert page.locator("#bio-properties-panel-casedesk-name-zh-Hans").input_value() == "准备文件记录"

    # The pool names its process too: both fields, each with the catalogue's name.
    show_in_panel(page, "document_review_participant", NAMES)
    assert page.locator("#bio-properties-panel-casedesk-name-zh-Hans").input_value() == "文件审核"
    assert page.locator("#bio-properties-panel-casedesk-process-name-zh-Hant").input_value() == "文件審核"

    # Deploying anyway: the server refuses the field too, stores nothing, and gives back all that was typed.
    page.locator("#modeler-deploy").click()
    page.wait_for_selector("#problems tr[data-element=draft]")
    page.wait_for_selector("#modeler[data-rendered=true]")
    assert f"/document_review/{before}/edit" in page.url
    show_in_panel(page, "prepare", NAMES)
    assert page.locator("#bio-properties-panel-casedesk-name-zh-Hans").input_value() == "准备文件记录"
    assert page.evaluate("() => window.casedeskModeler.get('elementRegistry').get('prepare').businessObject.name") \
        == PREPARE_EN
    group = show_in_panel(page, "draft", NAMES)
    hans = page.locator("#bio-properties-panel-casedesk-name-zh-Hans")
    entry = group.locator("[data-entry-id=casedesk-name-zh-Hans]")
    assert hans.input_value() == "<b>起草</b>"
    assert "Plain text only" in entry.locator(".bio-properties-panel-error").inner_text()
    shots.take(page, "refused-by-the-server")
    hans.fill(DRAFT_ZH)
    assert entry.locator(".bio-properties-panel-error").count() == 0
    shots.take(page, "named")

    page.locator("#modeler-deploy").click()
    page.wait_for_url(f"**/owner/processes/document_review/{before + 1}")
    assert f"Deployed document_review as version {before + 1}" in page.locator(".flash").first.inner_text()
    catalogue = page.request.get(f"{server}/owner/processes/document_review/{before + 1}/files/"
                                 "document_review.zh-Hans.i18n.json").json()["messages"]
    assert catalogue["Draft the document"] == DRAFT_ZH
    assert catalogue[PREPARE_EN] == "准备文件记录" and "Prepare the document record" not in catalogue
    assert errors == []

    # A clerk reading in Simplified Chinese starts a review: her inbox and the task page say the new name.
    alice = Api(page, server, "alice", PASSWORD)
    instance = alice.post("/processes/document_review/instances", {"data": {"title": "名称"}})["id"]
    clerk = sign_in(browser, server, "zh-Hans", "alice")
    clerk.goto(f"{server}/inbox")
    row = clerk.locator(f"tr[data-instance='{instance}']")
    assert DRAFT_ZH in row.inner_text()
    shots.take(clerk, "inbox-zh-Hans")
    row.locator("a").first.click()
    clerk.wait_for_url("**/tasks/*")
    assert DRAFT_ZH in clerk.locator("h1").inner_text()
    shots.take(clerk, "task-page-zh-Hans")
    clerk.context.close()
    page.context.close()
