"""Deploy problems read in the owner's language (issue 13, item 4): the engine's sentences
(engine/definitions/owner_messages.py) are recognised in a stored problem and translated whole."""
from __future__ import annotations

import pytest
from flask import Flask

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.owner_messages import owner_sentence
from tests.web.conftest import LoginAs
from tests.web.test_owner_pages import upload
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


def test_a_bundle_without_translations_deploys_and_the_owner_is_warned_in_their_language(
        app: Casedesk, login_as: LoginAs) -> None:
    owner = login_as("process_owner")
    owner.get("/language/zh_Hans")
    files = {name: (PROJECT_ROOT / "processes" / "demo" / name).read_bytes()
             for name in ("document_review.bpmn",)}
    files |= {name: (PROJECT_ROOT / "forms" / "demo" / name).read_bytes()
              for name in ("draft.schema.json", "review.schema.json")}
    files["document_review.bpmn"] = files["document_review.bpmn"].replace(b'name="Document published"',
                                                                          b'name="Published and filed"')
    deployed = owner.post("/owner/deploy", data=upload(files), content_type="multipart/form-data",
                          follow_redirects=True)
    page = deployed.get_data(as_text=True)
    assert deployed.status_code == 200
    assert "document_review.bpmn 没有 zh-Hans 翻译（document_review.zh-Hans.i18n.json），因此显示英文。" in page
    assert "document_review.zh-Hant.i18n.json" in page
    assert app.definitions.list_definitions()[-1].key == "document_review"
