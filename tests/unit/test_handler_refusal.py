"""A handler's refusal of a person's input: the runtime's error carries the handler's field errors, and the one HTTP
mapping answers it like a form's own check (422, messages per field in the requester's language)."""
from __future__ import annotations

import pytest
from flask import Flask

from engine.config import PROJECT_ROOT
from engine.errors import HandlerFailed, HandlerRefused, InvalidInput, NotFound
from web import i18n
from web.errors import error_body_of


@pytest.fixture
def pages() -> Flask:
    """Just the language machinery of the web app: no database is needed to word an error."""
    flask_app = Flask("casedesk_test", root_path=str(PROJECT_ROOT / "web"))
    i18n.init_app(flask_app)
    return flask_app


def test_a_refusal_carries_the_handlers_field_errors_and_its_reason() -> None:
    cause = InvalidInput("there is no active user 'nobody' to cover your work", {"cover": ["no such user"]})
    refused = HandlerRefused("i-1", "record_request", "leave_request", cause)
    cause.field_errors["cover"].append("changed later")  # the error keeps what the handler said when it refused
    assert isinstance(refused, InvalidInput) and isinstance(refused, HandlerFailed)
    assert refused.field_errors == {"cover": ["no such user"]}
    assert refused.reason == "there is no active user 'nobody' to cover your work"
    assert str(refused).startswith("the step after the input refused it, so nothing was saved")
    assert "'leave_request'" in str(refused) and str(refused).endswith(refused.reason)


def test_a_refusal_naming_no_field_still_says_why() -> None:
    refused = HandlerRefused("i-1", "lend", "archive_lend", NotFound("no archive DA-XS-2026-000099"))
    assert refused.field_errors == {} and refused.reason == "no archive DA-XS-2026-000099"


def test_a_refusal_is_answered_422_with_its_message_keys_worded_in_the_requesters_language(pages: Flask) -> None:
    cause = InvalidInput("there is no active user 'nobody' to cover your work",
                         {"cover": ["no such user"], "first_day": ["before today"], "quotes": ["line 3"]})
    refused = HandlerRefused("i-1", "record_request", "leave_request", cause)
    with pages.test_request_context("/api/v1/tasks/t/complete", headers={"Accept-Language": "zh-CN"}):
        body = error_body_of(refused)["error"]
    assert body["status"] == 422 and body["code"] == "invalid_input"
    assert body["fields"] == {"cover": ["没有此名称的在职用户。"], "first_day": ["请假须提前申请：这一天早于今天。"],
                              "quotes": ["第 3 行有误。"]}
    assert "no active user 'nobody'" in body["message"]
    with pages.test_request_context("/api/v1/tasks/t/complete", headers={"Accept-Language": "en"}):
        assert error_body_of(refused)["error"]["fields"]["cover"] == ["There is no active user of this name."]


def test_a_technical_failure_stays_a_failure_not_a_refusal(pages: Flask) -> None:
    failed = HandlerFailed("i-1", "publish", "publish_document", ConnectionError("unreachable"))
    with pages.test_request_context("/api/v1/tasks/t/complete"):
        body = error_body_of(failed)["error"]
    assert not isinstance(failed, InvalidInput)
    assert body["status"] == 400 and body["fields"] == {}


def test_a_casework_refusal_is_worded_in_each_language_and_its_lists_joined_the_readers_way(pages: Flask) -> None:
    from casework import trade
    quotes = trade.parse_quotes("Acme | 900\nBolt | 950", "supplier_quotes")
    with pytest.raises(InvalidInput) as caught:
        trade.choose_supplier(quotes, "Zeta", "cheapest", 2, 1000.0)
    assert str(caught.value) == "'Zeta' gave no quote; choose one of Acme, Bolt"  # logs and events stay English
    refused = HandlerRefused("i-1", "choose_supplier", "procurement_choose", caught.value)
    worded = {}
    for tag in ("zh-CN", "zh-TW", "en"):
        with pages.test_request_context("/api/v1/tasks/t/complete", headers={"Accept-Language": tag}):
            worded[tag] = (error_body_of(caught.value)["error"]["message"], error_body_of(refused)["error"]["message"])
    assert worded["zh-CN"][0] == "“Zeta”没有报价；请从 Acme、Bolt 中选择"
    assert worded["zh-TW"][0] == "「Zeta」沒有報價；請從 Acme、Bolt 中選擇"
    assert worded["en"][0] == str(caught.value)
    assert worded["zh-CN"][1] == ("输入之后的步骤拒绝了它，因此没有保存任何内容（实例 i-1 的服务任务“choose_supplier”，处理程序"
                                  "“procurement_choose”）：“Zeta”没有报价；请从 Acme、Bolt 中选择")
    assert worded["en"][1] == str(refused)


def test_the_names_of_missing_checks_are_translated_inside_the_sentence(pages: Flask) -> None:
    from engine.errors import N_
    refused = InvalidInput(N_("contract %(contract)s is not cleared for signing: %(missing)s missing"),
                           contract="HT-2026-0001", missing=[N_("lawful terms"), N_("finance review")])
    assert str(refused) == "contract HT-2026-0001 is not cleared for signing: lawful terms, finance review missing"
    with pages.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert error_body_of(refused)["error"]["message"] == "合同 HT-2026-0001 尚未获准签订：缺少条款合法、财务审核"


def test_a_refused_value_is_still_a_value_error_and_reads_in_the_page_language(pages: Flask) -> None:
    from casework.training import one_of
    from engine.errors import RefusedValue
    with pytest.raises(ValueError) as caught:  # whoever caught a ValueError still does
        one_of("kind", "party", ("internal", "external"))
    assert isinstance(caught.value, RefusedValue) and isinstance(caught.value, InvalidInput)
    assert str(caught.value) == "kind must be one of internal, external, not 'party'"
    refused = HandlerRefused("i-1", "plan", "training_plan", caught.value)
    with pages.test_request_context("/", headers={"Accept-Language": "zh-TW"}):
        assert error_body_of(refused)["error"]["message"].endswith("kind 必須是 internal、external 之一，而不是「party」")


def test_a_flag_that_is_not_true_or_false_is_still_a_type_error_and_reads_in_the_page_language(pages: Flask) -> None:
    from engine.errors import RefusedType
    from handlers.leave import decide_leave
    with pytest.raises(TypeError) as caught:  # whoever caught a TypeError still does
        decide_leave(None, "L-1", "yes")  # type: ignore[arg-type]  # refused before the context is read
    assert isinstance(caught.value, RefusedType) and str(caught.value) == "approved must be true or false"
    refused = HandlerRefused("i-1", "decide", "leave_decide", caught.value)
    for tag, said in (("zh-CN", "approved 必须是 true 或 false（是或否）"), ("zh-TW", "approved 必須是 true 或 false（是或否）"),
                      ("en", "approved must be true or false")):
        with pages.test_request_context("/api/v1/tasks/t/complete", headers={"Accept-Language": tag}):
            assert error_body_of(refused)["error"]["message"].endswith(said)
