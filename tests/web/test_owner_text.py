"""Deploy problems read in the owner's language (issue 13, item 4): the engine's sentences
(engine/definitions/owner_messages.py) are recognised in a stored problem and translated whole."""
from __future__ import annotations

import pytest
from flask import Flask

from engine.definitions.owner_messages import owner_sentence
from web.owner_text import SENTENCES, engine_templates, owner_text


def test_every_engine_sentence_has_a_translatable_twin_in_the_same_order() -> None:
    assert list(SENTENCES) == engine_templates()


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-CN", "此流程没有开始事件。请在流程开始处画一个开始事件。"),
    ("zh-TW", "此流程沒有開始事件。請在流程開始處畫一個開始事件。"),
    ("en", "This process has no start event. Draw a start event where the process begins."),
])
def test_a_deploy_problem_reads_in_the_pages_language(web: Flask, language: str, expected: str) -> None:
    with web.test_request_context(headers={"Accept-Language": language}):
        assert owner_text(owner_sentence("No start event found", "process")) == expected


def test_a_sentence_with_a_detail_translates_the_detail_too(web: Flask) -> None:
    with web.test_request_context(headers={"Accept-Language": "zh-CN"}):
        shown = owner_text(owner_sentence("Expected a Message node", "intermediate catch event"))
    assert shown == "此中间捕获事件引用了本文件中未定义的消息。请在建模器的属性面板中选择该消息。"


def test_a_sentence_the_catalogue_does_not_know_stays_whole_in_english(web: Flask) -> None:
    message = "This user task names the form missing.schema.json, which the bundle does not contain."
    with web.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert owner_text(message) == message
