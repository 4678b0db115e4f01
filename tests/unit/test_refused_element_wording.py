"""An owner reading in Chinese reads why an element is refused in Chinese (one language per page): every refusal
of an element kind casedesk does not run is translated into both scripts, and the report shows it whole."""
from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from engine.config import PROJECT_ROOT
from engine.definitions.support import fixed_refusals, reference_refusals
from engine.definitions.validation import validate_bundle
from tests.bpmn.test_refused_elements import WAITS_AND_SENDS
from web.app import create_app
from web.owner_text import owner_text

ADHOC = b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="free" />
    <bpmn:adHocSubProcess id="free" name="Free work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:task id="t" /></bpmn:adHocSubProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="free" targetRef="e" />
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_refusal_of_an_element_kind_is_translated(locale: str) -> None:
    path = PROJECT_ROOT / "web" / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    missing = [part for refusal in [*fixed_refusals(), *reference_refusals()] for part in refusal
               if catalog.get(part) is None or not catalog.get(part).string]
    assert not missing, missing


@pytest.mark.parametrize(("language", "expected"), [("zh-CN", "casedesk 不运行临时子流程"),
                                                    ("zh-TW", "casedesk 不執行臨時子流程"),
                                                    ("en", "casedesk does not run ad-hoc subprocesses")])
def test_the_report_says_an_ad_hoc_subprocess_is_refused_in_the_readers_language(language: str, expected: str) -> None:
    (problem,) = [p for p in validate_bundle({"free.bpmn": ADHOC}, {}) if p.element_id == "free"]
    with create_app({"TESTING": True}).test_request_context(headers={"Accept-Language": language}):
        shown = owner_text(problem.message)
    assert shown.startswith(expected), shown
    if language != "en":
        assert "subprocess" not in shown and "。请" in shown.replace("。請", "。请")


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-CN", {"await_reply": "此元素没有指定消息：任何事件都到达不了它，案件会在这里永远等下去。"
                              "请在建模器的属性面板中选择该消息，或在那里新建一个。",
               "await_bell": "此元素指定的信号“no_such_signal”在本文件中没有定义：任何事件都到达不了它，"
                             "案件会在这里永远等下去。请在建模器的属性面板中选择该信号，或在那里新建一个。",
               "flag": "此元素没有指定升级：casedesk 不知道该发送哪个升级。请在建模器的属性面板中选择该升级，或在那里新建一个。"}),
    ("zh-TW", {"tell": "此元素沒有指定消息：casedesk 不知道該傳送哪個消息。請在建模器的屬性面板中選擇該消息，或在那裡新建一個。",
               "await_bell": "此元素指定的信號「no_such_signal」在本檔案中沒有定義：任何事件都到達不了它，"
                             "案件會在這裡永遠等下去。請在建模器的屬性面板中選擇該信號，或在那裡新建一個。"}),
    ("en", {"await_bell": "this element names the signal 'no_such_signal', which this file does not define: "
                          "nothing could ever reach it, and the case would wait here for ever. Choose the signal in "
                          "the modeler's properties panel, or create one there."}),
])
def test_an_element_naming_no_message_signal_or_escalation_is_refused_in_the_readers_language(
        language: str, expected: dict[str, str]) -> None:
    problems = {p.element_id: p.message for p in validate_bundle({"parts.bpmn": WAITS_AND_SENDS.encode()}, set())}
    with create_app({"TESTING": True}).test_request_context(headers={"Accept-Language": language}):
        shown = {element: owner_text(problems[element]) for element in expected}
    assert shown == expected
