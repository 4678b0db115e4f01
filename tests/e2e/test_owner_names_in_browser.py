"""In a real browser (issue 16, per-language names): a process owner gives the draft task of the document review a
new Simplified Chinese name in the modeler's "Names in other languages" group (markup refused in the field as
the deploy would refuse it), renames another task in English and sees its translations stay with it, deploys,
and a clerk reading in Simplified Chinese sees the new name in her inbox and on the task page.
Screenshots in test-artifacts/e2e/owner-names/."""
from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Shots, sign_in_page
from tests.e2e.test_owner_properties_in_browser import Api, _select

DRAFT_ZH = "起草正式文件"
PREPARE_EN = "Open the document record"


def _open_names_group(page: Any) -> Any:
    group = page.locator("#properties [data-group-id=group-casedesk-names]")
    group.wait_for()
    if not group.locator(".bio-properties-panel-group-entries.open").count():
        group.locator(".bio-properties-panel-group-header").click()
    return group


def test_owner_names_a_task_in_chinese_in_the_panel_and_a_chinese_reader_sees_it(browser: Any, server: str) -> None:
    shots = Shots("owner-names")
    context = browser.new_context(locale="en-US", timezone_id="Asia/Shanghai", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_page(page, server, "owen")
    page.goto(f"{server}/owner/processes")
    before = int(page.locator("[data-process=document_review] tr[data-version]").first.get_attribute("data-version")
                 or "0")
    page.goto(f"{server}/owner/processes/document_review/{before}/edit")
    page.wait_for_selector("#modeler[data-rendered=true]")

    # The draft task: each language's field shows the catalogue's name and takes a new one.
    page.locator("#modeler .djs-element[data-element-id=draft]").click()
    group = _open_names_group(page)
    hans = page.locator("#bio-properties-panel-casedesk-name-zh-Hans")
    assert hans.input_value() == "起草文件"
    assert page.locator("#bio-properties-panel-casedesk-name-zh-Hant").input_value() == "起草文件"
    hans.fill("<b>起草</b>")
    entry = group.locator("[data-entry-id=casedesk-name-zh-Hans]")
    assert "Plain text only" in entry.locator(".bio-properties-panel-error").inner_text()
    shots.take(page, "markup-refused")
    hans.fill(DRAFT_ZH)
    assert entry.locator(".bio-properties-panel-error").count() == 0

    # Renamed in English, the script task keeps its translations; the draft keeps what was typed.
    page.evaluate("""(name) => {
        const modeler = window.casedeskModeler;
        modeler.get('modeling').updateLabel(modeler.get('elementRegistry').get('prepare'), name);
    }""", PREPARE_EN)
    _select(page, "prepare")
    _open_names_group(page)
    assert page.locator("#bio-properties-panel-casedesk-name-zh-Hans").input_value() == "准备文件记录"
    _select(page, "draft")
    _open_names_group(page)
    assert page.locator("#bio-properties-panel-casedesk-name-zh-Hans").input_value() == DRAFT_ZH
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
    instance = Api(page, server, "alice").post("/processes/document_review/instances", {"data": {"title": "名称"}})["id"]
    clerk = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    sign_in_page(clerk, server, "alice", button="登录")
    clerk.goto(f"{server}/inbox")
    row = clerk.locator(f"tr[data-instance='{instance}']")
    assert DRAFT_ZH in row.inner_text()
    shots.take(clerk, "inbox-zh-Hans")
    row.locator("a").first.click()
    clerk.wait_for_url("**/tasks/*")
    assert DRAFT_ZH in clerk.locator("h1").inner_text()
    shots.take(clerk, "task-page-zh-Hans")
    clerk.context.close()
    context.close()
