"""R-3.2.1 as staff see it in the browser: the head of sales reviews the contract on a page in one language,
with the contract above the checklist; sales cannot post the review, and sees no signing task before it."""
from __future__ import annotations

from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from tests.acceptance.case_support import PASSWORD
from tests.acceptance.test_r_3_2_1_sales_contract import drafted
from tests.acceptance.trade_support import (  # noqa: F401 - fixtures
    _mail_server, _sms_server, desk, inbox, mailbox, sms, trade_desk)
from tests.support.steps import task
from web.app import create_app


@pytest.fixture
def site(trade_desk: Casedesk) -> Iterator[Flask]:  # noqa: F811
    yield create_app({"TESTING": True, "CASEDESK": trade_desk, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})


def signed_in(site: Flask, user: str) -> FlaskClient:
    client = site.test_client()
    assert client.post("/login", data={"username": user, "password": PASSWORD}).status_code == 302
    return client


def test_r_3_2_1_the_review_page_shows_the_contract_and_the_checklist_in_the_readers_language(
        trade_desk: Casedesk, site: Flask) -> None:
    contract = drafted(trade_desk)
    review = task(trade_desk, "sue", "review_terms", contract)
    page = signed_in(site, "sue").get(f"/tasks/{review.id}", headers={"Accept-Language": "zh-Hant"}).get_data(
        as_text=True)
    for text in ("審核合同條款", "HT-2026-0001", "Hengda Trading", "500 office chairs", "合法：條款符合法律法規",
                 "合理：價格、付款和責任條款對公司公平合理", "明確：數量、日期和責任清楚無歧義"):
        assert text in page, text
    assert "Review the contract terms" not in page and "Lawful: the terms" not in page

    english = signed_in(site, "sue").get(f"/tasks/{review.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert "Lawful: the terms comply with the law and regulations" in english and "審核" not in english


def test_r_3_2_1_sales_can_neither_review_its_own_contract_nor_sign_it_before_the_head_of_sales_did(
        trade_desk: Casedesk, site: Flask) -> None:
    contract = drafted(trade_desk)
    review = task(trade_desk, "sue", "review_terms", contract)
    sam = signed_in(site, "sam")
    response = sam.post(f"/tasks/{review.id}", data={"terms_lawful": "true", "terms_reasonable": "true",
                                                     "terms_clear": "true", "review_note": ""},
                        headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert inbox(trade_desk, "sue", contract) == ["review_terms"]  # nothing was recorded
    assert inbox(trade_desk, "sam", contract) == []
    assert "Sign the contract" not in sam.get("/inbox", headers={"Accept-Language": "en"}).get_data(as_text=True)

    sue = signed_in(site, "sue")
    response = sue.post(f"/tasks/{review.id}", data={"terms_lawful": "true", "terms_reasonable": "true",
                                                     "terms_clear": "true", "review_note": ""},
                        headers={"Accept-Language": "en"})
    assert response.status_code == 302
    assert "Sign the contract" in sam.get("/inbox", headers={"Accept-Language": "en"}).get_data(as_text=True)
