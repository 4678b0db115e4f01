"""The language chosen on the sign-in page is the language of the pages after signing in (and after signing out)."""
from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import PASSWORD


@pytest.mark.parametrize(("locale", "inbox_title"), [("zh_Hans", "待办"), ("zh_Hant", "待辦"), ("en", "Inbox")])
def test_the_language_chosen_before_sign_in_is_kept_after_it(web: Flask, locale: str, inbox_title: str) -> None:
    client = web.test_client()
    client.get(f"/language/{locale}")
    signed_in = client.post("/login", data={"username": "u_clerk", "password": PASSWORD}, follow_redirects=True)
    assert signed_in.status_code == 200
    page = signed_in.get_data(as_text=True)
    assert f'lang="{locale.replace("_", "-")}"' in page and inbox_title in page


def test_an_unknown_language_in_the_sign_in_form_is_ignored(web: Flask) -> None:
    client = web.test_client()
    client.get("/language/zh_Hans")
    response = client.post("/login", data={"username": "u_clerk", "password": PASSWORD, "locale": "xx"},
                           follow_redirects=True)
    assert 'lang="zh-Hans"' in response.get_data(as_text=True)
