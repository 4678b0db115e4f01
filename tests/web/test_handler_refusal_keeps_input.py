"""Never lose what a person typed: when the step after a form refuses the submission (R-3.1: the colleague named
to cover does not exist), the form comes back with every typed value and the reason, and nothing is saved."""
from __future__ import annotations

import html
from datetime import timedelta

from flask import Flask

from casework.demo_org import seed_demo_org
from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from tests.web.conftest import LoginAs

DEMO_PASSWORD = "demo-pass-2026"


def test_a_refused_cover_brings_the_leave_form_back_as_typed(app: Casedesk, clock: FakeClock, web: Flask) -> None:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "hr", PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, clock, DEMO_PASSWORD)
    view = app.runtime.start_instance("leave_request", {}, actor="gus")
    (request,) = view.ready_tasks
    events_before = len(app.history.events(view.id))
    client = web.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    assert client.post("/login", data={"username": "gus", "password": DEMO_PASSWORD}).status_code == 302
    first = (clock.now() + timedelta(days=7)).date().isoformat()
    last = (clock.now() + timedelta(days=9)).date().isoformat()
    typed = {"leave_type": "annual", "first_day": first, "last_day": last,
             "leave_reason": "回老家探亲 family visit", "cover": "nobody_here"}
    response = client.post(f"/tasks/{request.id}", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "回老家探亲 family visit" in page and 'value="nobody_here"' in page and first in page
    # One red line at the top: the handler's own sentence in the page's language (not the form's general line too).
    assert ("此表单之后的步骤拒绝了它，因此没有保存任何内容；请更正后再次提交：没有名为“nobody_here”的在职用户可以代理您的工作"
            in page)
    assert page.count("此表单之后的步骤拒绝了它") == 1 and "表单有错误" not in page
    assert "没有此名称的在职用户。" in page  # the handler's message key on the field it named, in the page's language
    assert "to cover your work" not in page  # one language per page: the handler's English sentence is not shown
    assert len(app.history.events(view.id)) == events_before  # nothing was saved
    assert [t.id for t in app.runtime.list_tasks(instance_id=view.id)] == [request.id]
    fixed = client.post(f"/tasks/{request.id}", data={**typed, "cover": "gil"})
    assert fixed.status_code == 302


def _refused_leave_request(app: Casedesk, clock: FakeClock, web: Flask, language: str, cover: str) -> str:
    """gus asks for a day of leave naming `cover`, reading in `language`; the page the refusal answers with."""
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "hr", PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, clock, DEMO_PASSWORD)
    (request,) = app.runtime.start_instance("leave_request", {}, actor="gus").ready_tasks
    client = web.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert client.post("/login", data={"username": "gus", "password": DEMO_PASSWORD}).status_code == 302
    first = (clock.now() + timedelta(days=7)).date().isoformat()
    response = client.post(f"/tasks/{request.id}", data={
        "leave_type": "annual", "first_day": first, "last_day": first, "leave_reason": "family", "cover": cover})
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_an_english_page_keeps_the_handlers_own_sentence_beside_the_field(
        app: Casedesk, clock: FakeClock, web: Flask) -> None:
    page = _refused_leave_request(app, clock, web, "en", "nobody_here")
    assert "There is no active user of this name." in page and "to cover your work" in page


def test_a_traditional_chinese_page_says_the_refusal_in_traditional_characters(
        app: Casedesk, clock: FakeClock, web: Flask) -> None:
    page = _refused_leave_request(app, clock, web, "zh-TW", "gus")
    assert "此表單之後的步驟拒絕了它，因此沒有儲存任何內容；請更正後再次提交：須由其他人代理您的工作" in page
    assert "表單有錯誤" not in page and "covers your work" not in page


def test_a_page_refusing_a_casework_value_says_why_in_the_page_language(login_as: LoginAs) -> None:
    admin = login_as("admin")
    for tag, said in (("zh-CN", "期间“2026-13”：没有 13 月"), ("zh-TW", "期間「2026-13」：沒有 13 月"),
                      ("en", "period '2026-13': there is no month 13")):
        response = admin.get("/quality?period=2026-13", headers={"Accept-Language": tag})
        assert response.status_code == 422 and said in html.unescape(response.get_data(as_text=True))
