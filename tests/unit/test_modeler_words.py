"""The modeler's own words (web/owner/modeler_words.py) are translated into both Chinese scripts in the modeler's
context: a Chinese page's properties panel names its groups, fields and element kinds in Chinese."""
from __future__ import annotations

import re

import pytest

from engine.config import PROJECT_ROOT
from web.app import create_app
from web.owner.modeler_words import modeler_words

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_IN_EVERY_LANGUAGE = {"ID"}


@pytest.mark.parametrize(("language", "general", "user_task"), [("zh-CN", "常规", "用户任务"),
                                                               ("zh-TW", "常規", "用戶任務"),
                                                               ("en", "General", "User Task")])
def test_every_word_of_the_panel_reads_in_the_pages_language(language: str, general: str, user_task: str) -> None:
    with create_app({"TESTING": True}).test_request_context(headers={"Accept-Language": language}):
        words = modeler_words()
    assert (words["General"], words["User Task"]) == (general, user_task)
    if language == "en":
        assert all(word == english for english, word in words.items())
    else:
        assert [english for english, word in words.items()
                if english not in LATIN_IN_EVERY_LANGUAGE and not HAN.search(word)] == []


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-CN", ("用户任务", "事件子流程", "定时器边界事件（非中断）", "循环")),
    ("zh-TW", ("用戶任務", "事件子流程", "定時器邊界事件（非中斷）", "循環"))])
def test_the_change_element_menu_reads_in_the_pages_language(language: str, expected: tuple[str, ...]) -> None:
    """bpmn-js names the menu's entries in sentence case ("User task"), not as the panel's header does."""
    with create_app({"TESTING": True}).test_request_context(headers={"Accept-Language": language}):
        words = modeler_words()
    assert tuple(words[english] for english in ("User task", "Event sub-process",
                                                 "Timer boundary event (non-interrupting)", "Loop")) == expected


def test_every_entry_bpmn_js_offers_in_the_change_element_menu_is_a_modeler_word() -> None:
    entries = PROJECT_ROOT / "node_modules" / "bpmn-js" / "lib" / "features" / "popup-menu" / "PopupEntries.js"
    if not entries.exists():
        pytest.skip("node_modules is not installed (make assets)")
    labels = set(re.findall(r"label: '([^']+)'", entries.read_text(encoding="utf-8")))
    assert len(labels) > 60
    with create_app({"TESTING": True}).test_request_context(headers={"Accept-Language": "en"}):
        words = modeler_words()
    assert sorted(labels - set(words)) == []
