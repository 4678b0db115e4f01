"""Error pages speak the reader's language: Werkzeug's English descriptions never reach a Chinese page."""
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
