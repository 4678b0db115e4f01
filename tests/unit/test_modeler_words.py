"""The modeler's own words (web/owner/modeler_words.py) are translated into both Chinese scripts in the modeler's
context: a Chinese page's properties panel names its groups, fields and element kinds in Chinese."""
from __future__ import annotations

import re

import pytest

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
