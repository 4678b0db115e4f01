"""R-3.2.3 Finance: every month the finance staff review the month before — books closed under the
accounting standards, balance sheet and income statement, receipts and payments with what is overdue,
a financial-risk analysis — and the head of finance approves it or returns it to be amended. The approved
share of receivables overdue is the reading of the R-5.3 indicator of that name (a crossing raises one
risk warning), and the approved report is filed as a finance archive (R-6.1, R-6.2)."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from casework.risk_models import RiskIndicator, RiskReading
from engine.bootstrap import Casedesk
from engine.errors import Conflict, InvalidInput
from engine.models import ProcessInstance
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    PASSWORD, _mail_server, _sms_server, desk, mailbox, sms)
from tests.acceptance.finance_desk import deploy_finance, figures, monthly_timer
from tests.acceptance.risk_desk import (warnings)
from tests.support.notify_servers import Mailbox
from tests.support.steps import task, work
from web.app import create_app


@pytest.fixture
def finance_desk(desk: Casedesk) -> Iterator[Casedesk]:  # noqa: F811
    yield deploy_finance(desk)


def reviews(desk: Casedesk) -> list[Any]:
    return desk.runtime.list_instances(process_key="finance_review")


def results(desk: Casedesk, instance_id: str, operator: str) -> list[dict[str, Any]]:
    payloads = [json.loads(e.payload) for e in desk.history.events(instance_id) if e.type == "service_result"]
    return [p for p in payloads if p["operator"] == operator]


def receivables_indicator(desk: Casedesk) -> RiskIndicator:
    with desk.db.unit_of_work(write=False) as session:
        found = session.scalar(select(RiskIndicator).where(RiskIndicator.code == "overdue_receivables"))
        assert found is not None
        return found


def test_r_3_2_3_the_review_starts_by_itself_each_month_for_the_month_before(finance_desk: Casedesk) -> None:
    finance_desk.clock.set(finance_desk.clock.now().replace(month=2, day=3, hour=0, minute=59))
    assert finance_desk.jobs.run_due(worker="test") == 0  # not before 09:00 Beijing time on the third
    assert monthly_timer(finance_desk, 2) == 1
    prepare = task(finance_desk, "fay", "prepare_review")
    assert prepare.title == "Prepare the finance review" and prepare.candidate_group == "finance"
    assert prepare.due_at == finance_desk.clock.now() + timedelta(days=5)
    with finance_desk.db.unit_of_work(write=False) as session:  # January, reviewed on 3 February
        assert session.get(ProcessInstance, prepare.instance_id).business_key == "Finance review 財務檢查 2026-01"
    assert finance_desk.runtime.list_tasks(user="sam") == []  # the finance staff's work, nobody else's
    with pytest.raises(Conflict, match="starts on its own"):  # nobody starts it by hand
        finance_desk.runtime.start_instance("finance_review", {}, actor="fay")
    assert monthly_timer(finance_desk, 3) == 1
    assert sorted(i.status for i in reviews(finance_desk)) == ["running", "running"]


def test_r_3_2_3_the_head_returns_the_review_to_amend_then_approves_and_it_is_filed_in_the_finance_class(
        finance_desk: Casedesk, mailbox: Mailbox) -> None:
    monthly_timer(finance_desk, 2)
    instance_id = task(finance_desk, "fay", "prepare_review").instance_id
    work(finance_desk, "fay", "prepare_review", figures(books_closed=False, bookkeeping_note="Bank not reconciled."))
    review = task(finance_desk, "fred", "review_report")
    assert task(finance_desk, "fred", "review_report").due_at == finance_desk.clock.now() + timedelta(days=3)
    assert finance_desk.runtime.list_tasks(user="fay") == []

    with pytest.raises(InvalidInput) as refused:  # a return says what to amend
        work(finance_desk, "fred", "review_report", {"review_approved": False, "review_note": ""})
    assert set(refused.value.field_errors) == {"review_note"}
    work(finance_desk, "fred", "review_report", {"review_approved": False,
                                                 "review_note": "Close the books first. 請先結賬。"})
    assert task(finance_desk, "fay", "prepare_review").id != review.id
    work(finance_desk, "fay", "prepare_review", figures())
    done = work(finance_desk, "fred", "review_report", {"review_approved": True, "review_note": "In order."})

    assert done.status == "completed"
    [reading] = results(finance_desk, instance_id, "record_risk_reading")
    assert reading["params"]["indicator"] == "overdue_receivables" and reading["params"]["value"] == 0.05
    assert reading["result"] == []  # 5 % is under the 15 % threshold: no warning
    assert receivables_indicator(finance_desk).last_value == 0.05 and warnings(finance_desk) == []
    assert mailbox.messages == []

    [filing] = results(finance_desk, instance_id, "file_finance_review")
    number = filing["result"]["archive_number"]
    assert number == "DA-CW-2026-000001" and filing["result"]["items"] == 5
    record = finance_desk.archives.register_record(number, "ann")
    assert (record.entry.archive_class, record.entry.status, record.entry.title) == (
        "finance", "complete", "Finance review 財務檢查 2026-01")
    assert [i.name for i in record.items] == ["bookkeeping", "receipts_and_payments", "reports", "review",
                                              "risk_analysis"]
    filed = filing["params"]["records"]
    assert filed["bookkeeping"] == {"period": "2026-01", "first_day": "2026-01-01", "last_day": "2026-01-31",
                                    "books_closed": True, "note": ""}
    assert {k: v for k, v in filed["receipts_and_payments"].items() if k != "overdue_items"} == {
        "receivables_total": 1_200_000, "receivables_overdue": 60_000, "overdue_receivables_ratio": 0.05,
        "payables_total": 800_000, "payables_overdue": 0, "overdue_payables_ratio": 0.0}
    assert filed["review"] == {"approved": True, "note": "In order."}
    assert filed["risk_analysis"]["risk_warning"] is None
    assert [e.number for e in finance_desk.archives.list_register("ann", archive_class="finance")] == [number]


def test_r_3_2_3_overdue_receivables_over_the_threshold_raise_one_risk_warning_per_crossing(
        finance_desk: Casedesk, mailbox: Mailbox) -> None:
    def month(number: int, overdue: float) -> str:
        monthly_timer(finance_desk, number)
        instance_id = task(finance_desk, "fay", "prepare_review").instance_id
        work(finance_desk, "fay", "prepare_review", figures(receivables=1_000_000, overdue=overdue))
        work(finance_desk, "fred", "review_report", {"review_approved": True, "review_note": ""})
        return instance_id

    february = month(2, 200_000)  # 20 % ≥ 15 %
    [raised] = warnings(finance_desk)
    assert (raised.number, raised.indicator, raised.value, raised.threshold, raised.status) == (
        "YJ-2026-0001", "overdue_receivables", 0.2, 0.15, "alerted")
    [alert] = mailbox.messages
    assert alert["To"] == "fred@example.com" and "YJ-2026-0001" in alert["Subject"]
    assert task(finance_desk, "fred", "take_measures")  # the warning follows, as for an entered value
    [filing] = results(finance_desk, february, "file_finance_review")
    assert filing["params"]["records"]["risk_analysis"]["risk_warning"] == "YJ-2026-0001"
    with finance_desk.db.unit_of_work(write=False) as session:
        [kept] = session.scalars(select(RiskReading)).all()
        assert (kept.value, kept.note, kept.instance_id) == (0.2, "Monthly finance review 2026-01", february)

    month(3, 250_000)  # still over: the same crossing
    assert len(warnings(finance_desk)) == 1 and len(mailbox.messages) == 1
    month(4, 50_000)  # back under: armed again
    assert receivables_indicator(finance_desk).state == "normal"
    month(5, 150_000)
    assert [w.number for w in warnings(finance_desk)] == ["YJ-2026-0001", "YJ-2026-0002"]
    numbers = [e.number for e in finance_desk.archives.list_register("ann", archive_class="finance")]
    assert numbers == [f"DA-CW-2026-{n:06d}" for n in range(1, 5)]  # one archive a month, gap-free


@pytest.mark.parametrize("wrong, field", [
    ({"receivables_overdue": -1}, "receivables_overdue"),
    ({"payables_not_due": "a lot"}, "payables_not_due"),
    ({"receivables_not_due": 0.001}, "receivables_not_due"),  # to the cent
    ({"books_closed": False, "bookkeeping_note": ""}, "bookkeeping_note"),  # say what is not in order
    ({"balance_sheet": ""}, "balance_sheet"),
    ({"risk_analysis": ""}, "risk_analysis"),
])
def test_r_3_2_3_a_review_with_a_wrong_or_missing_entry_is_refused_and_nothing_is_kept(
        finance_desk: Casedesk, wrong: dict[str, Any], field: str) -> None:
    monthly_timer(finance_desk, 2)
    prepare = task(finance_desk, "fay", "prepare_review")
    with pytest.raises(InvalidInput) as refused:
        work(finance_desk, "fay", "prepare_review", figures(**wrong))
    assert field in refused.value.field_errors
    assert task(finance_desk, "fay", "prepare_review").id == prepare.id
    assert finance_desk.runtime.list_tasks(user="fred") == []


def test_r_3_2_3_the_finance_staff_work_the_review_in_their_language(finance_desk: Casedesk) -> None:
    monthly_timer(finance_desk, 2)
    work(finance_desk, "fay", "prepare_review", figures())
    work(finance_desk, "fred", "review_report", {"review_approved": False, "review_note": "Add the aging list."})
    web = create_app({"TESTING": True, "CASEDESK": finance_desk, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})
    client = web.test_client()
    assert client.post("/login", data={"username": "fay", "password": PASSWORD}).status_code == 302
    prepare = task(finance_desk, "fay", "prepare_review")
    html = client.get(f"/tasks/{prepare.id}").get_data(as_text=True)
    assert "Balance sheet: total assets, liabilities and equity" in html and "Add the aging list." in html
    assert "Returned by the head of finance" in html
    client.get("/language/zh_Hant")
    html = client.get(f"/tasks/{prepare.id}").get_data(as_text=True)
    assert "資產負債表" in html and "財務部主管退回意見" in html and "逾期應收應付明細" in html
    assert "Balance sheet" not in html
    client.get("/language/zh_Hans")
    html = client.get(f"/tasks/{prepare.id}").get_data(as_text=True)
    assert "资产负债表" in html and "月末应收账款：已逾期（人民币元）" in html
    assert "Monthly finance review" not in client.get("/start").get_data(as_text=True)

    work(finance_desk, "fay", "prepare_review", figures())
    head = web.test_client()
    assert head.post("/login", data={"username": "fred", "password": PASSWORD}).status_code == 302
    review = task(finance_desk, "fred", "review_report")
    html = head.get(f"/tasks/{review.id}").get_data(as_text=True)  # what the head reviews: the figures computed
    assert "Receivables at the end of the month (CNY)" in html and "1,200,000" in html
    assert "Share of receivables overdue" in html and "0.05" in html and "Liquidity sound" in html
    head.get("/language/zh_Hant")
    html = head.get(f"/tasks/{review.id}").get_data(as_text=True)
    assert "審核每月財務報告" in html and "逾期應收賬款比例" in html and "月末應收賬款（人民幣元）" in html
