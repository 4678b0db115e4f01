"""In a real browser: a process owner reading in Chinese reads the modeler's properties panel in Chinese — its
groups ("General", "Documentation") and their headers' buttons, their fields and the kind of element its header
names — the palette's tools and the "change element" menu, through bpmn-js's translate service
(web/owner/js/translate.js); in English bpmn-js's own words stay.
Screenshots in test-artifacts/e2e/owner-panel-language/."""
from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import WIDE, Shots, sign_in
from tests.support.modeler import newest_version, open_modeler, select

SAID = {"zh-Hans": ("用户任务", ["常规", "Casedesk 属性", "其他语言的名称", "说明文档"], ["名称", "ID"], "启用抓手工具"),
        "zh-Hant": ("用戶任務", ["常規", "Casedesk 屬性", "其他語言的名稱", "說明文檔"], ["名稱", "ID"], "啟用抓手工具"),
        "en": ("User Task", ["General", "Casedesk", "Names in other languages", "Documentation"], ["Name", "ID"],
               "Activate hand tool")}
MENU = {"zh-Hans": ("服务任务", "循环", "展开或收起此部分"), "zh-Hant": ("服務任務", "循環", "展開或收起此部分"),
        "en": ("Service task", "Loop", "Toggle section")}


@pytest.mark.parametrize("language", list(SAID))
def test_the_properties_panel_reads_in_the_owners_language(browser: Any, server: str, language: str) -> None:
    shots = Shots(f"owner-panel-language-{language}")
    errors: list[str] = []
    page = sign_in(browser, server, language, "owen", viewport=WIDE, errors=errors)
    open_modeler(page, server, "document_review", newest_version(page, server, "document_review"))
    select(page, "review")
    page.wait_for_selector("#properties [data-group-id=group-general]")

    kind, groups, fields, hand_tool = SAID[language]
    assert page.locator("#modeler .djs-palette .entry[data-action=hand-tool]").get_attribute("aria-label") == hand_tool
    assert page.locator("#properties .bio-properties-panel-header-type").inner_text().strip().lower() == kind.lower()
    headers = page.locator("#properties .bio-properties-panel-group-header-title").all_inner_texts()
    assert [h.strip() for h in headers] == groups
    general = page.locator("#properties [data-group-id=group-general]")
    labels = general.locator(".bio-properties-panel-label").all_inner_texts()
    assert [label.strip() for label in labels] == fields
    shots.take(page, "review-task")

    service_task, loop, toggle = MENU[language]
    arrow = page.locator("#properties [data-group-id=group-general] button.bio-properties-panel-arrow")
    assert arrow.get_attribute("title") == toggle
    page.locator("#modeler .djs-context-pad .entry[data-action=replace]").click()
    menu = page.locator(".djs-popup")
    assert service_task in [entry.strip() for entry in menu.locator(".entry").all_inner_texts()]
    assert menu.locator("[data-id=toggle-loop]").get_attribute("title") == loop
    shots.take(page, "change-element-menu")
    assert errors == []
