"""Error pages and action messages speak the reader's language: no English sentence or task name on a Chinese page."""
from __future__ import annotations

import re

from tests.web.conftest import LoginAs

CJK = re.compile(r"[\u4e00-\u9fff]")


def _paragraphs(html: str) -> list[str]:
    return re.findall(r"<p>(.*?)</p>", html, re.S)


def test_a_missing_page_says_so_in_chinese_on_a_chinese_page(login_as: LoginAs) -> None:
    client = login_as("clerk")
    client.get("/language/zh_Hans")
    response = client.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "The requested URL was not found" not in html
    assert "没有这个页面" in html


def test_a_missing_page_says_so_in_english_on_an_english_page(login_as: LoginAs) -> None:
    client = login_as("clerk")
    client.get("/language/en")
    html = client.get("/no/such/page").get_data(as_text=True)
    assert "There is no such page" in html
    assert not any(CJK.search(p) for p in _paragraphs(html))


def test_the_api_keeps_its_json_error_for_a_missing_route(login_as: LoginAs) -> None:
    response = login_as("clerk").get("/api/v1/no/such/route")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_messages_after_an_action_name_the_task_in_the_page_language(app, login_as: LoginAs) -> None:  # type: ignore[no-untyped-def]
    from tests.web.conftest import Scenario

    scenario = Scenario(app)
    reviewer = login_as("reviewer")
    reviewer.get("/language/zh_Hans")
    reviewer.post(f"/tasks/{scenario.task_id}/claim")
    claimed = reviewer.get("/inbox").get_data(as_text=True)
    assert "审核文件" in claimed and "Review the document" not in claimed
    completed = reviewer.post(f"/tasks/{scenario.task_id}", data={"decision": "approve"})
    assert completed.status_code == 302, completed.get_data(as_text=True)[:300]
    done = reviewer.get("/inbox").get_data(as_text=True)
    assert "“审核文件”" in done and "Review the document" not in done


def test_pages_link_an_icon_the_server_has(login_as: LoginAs) -> None:
    # Without one, every page load ends in a 404 for /favicon.ico in the browser's console.
    client = login_as("clerk")
    icon = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', client.get("/inbox").get_data(as_text=True))
    assert icon is not None
    assert client.get(icon.group(1)).status_code == 200
