"""R-3.2.2 as staff see it in the browser: procurement starts a purchase from the start page (sales cannot),
and the inspector's page names the contract item to check, in the reader's language."""
from __future__ import annotations

import re

from flask import Flask

from engine.bootstrap import Casedesk
from tests.acceptance.test_r_3_2_1_sales_contract_pages import signed_in, site  # noqa: F401 - fixture
from tests.acceptance.test_r_3_2_2_procurement import contracted
from tests.acceptance.trade_support import (  # noqa: F401 - fixtures
    _mail_server, _sms_server, desk, inbox, mailbox, sms, trade_desk)
from tests.support.steps import task, work

HANS = {"Accept-Language": "zh-Hans"}


def test_r_3_2_2_procurement_starts_a_purchase_from_the_start_page_and_sales_cannot(
        trade_desk: Casedesk, site: Flask) -> None:  # noqa: F811
    pat, sam = signed_in(site, "pat"), signed_in(site, "sam")
    assert "采购" in pat.get("/start", headers=HANS).get_data(as_text=True)
    assert "/start/procurement" in pat.get("/start", headers=HANS).get_data(as_text=True)
    assert "/start/procurement" not in sam.get("/start", headers=HANS).get_data(as_text=True)
    assert "/start/sales_contract" in sam.get("/start", headers=HANS).get_data(as_text=True)
    assert sam.post("/start/procurement", headers=HANS).status_code == 403

    response = pat.post("/start/procurement", headers=HANS)
    assert response.status_code == 302 and "/tasks/" in response.headers["Location"]
    page = pat.get(response.headers["Location"], headers=HANS).get_data(as_text=True)
    assert "采购物品（每行一项：名称 | 规格 | 数量）" in page and "Purchase plan" not in page


def test_r_3_2_2_the_inspectors_page_names_the_contract_item_to_check(trade_desk: Casedesk, site: Flask) -> None:
    purchase = contracted(trade_desk)
    work(trade_desk, "pat", "receive_goods", {"received_on": "2026-11-24", "delivery_note_number": "DN-1",
                                                "delivery_documents": []}, purchase)
    inspection = task(trade_desk, "pat", "inspect_item", purchase)
    page = signed_in(site, "pat").get(f"/tasks/{inspection.id}", headers=HANS).get_data(as_text=True)
    for text in ("按合同验收物品", "合同规格", "14-inch, 16 GB memory, 512 GB disk", "实收数量",
                 "规格与合同一致", "New, sealed, with a three-year warranty."):
        assert text in page, text
    assert re.search(r"合同数量.*?10", page, re.S)
    assert "Docking station" not in page  # one item at a time
