"""R-5.3 Risk monitoring and early warning: indicators with thresholds, computed from casedesk's own cases
or entered by the risk owner; reaching a threshold raises one warning per crossing, alerts the responsible
person and is followed until the risk owner has verified the measures."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from casework.risk_models import RiskIndicator
from engine.bootstrap import Casedesk
from engine.errors import InvalidInput
from engine.models import ProcessInstance
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    PASSWORD, _mail_server, _sms_server, accepted_case, desk, handled_case, mailbox, sms)
from tests.acceptance.risk_desk import (deploy_risk, warnings)
from tests.support.notify_servers import Mailbox
from tests.support.steps import task, work
from web.app import create_app


@pytest.fixture
def risk_desk(desk: Casedesk) -> Iterator[Casedesk]:  # noqa: F811
    yield deploy_risk(desk)


def enter(risk_desk: Casedesk, indicator: str, value: float) -> str:
    """The risk owner enters one value; returns the reading's instance id."""
    started = risk_desk.runtime.start_instance("risk_indicator_reading", {}, actor="rex")
    work(risk_desk, "rex", "enter_reading", {"indicator": indicator, "indicator_value": value,
                                             "reading_note": "Month-end ledger. 月末賬目。"}, started.id)
    return started.id


def indicator(risk_desk: Casedesk, code: str) -> RiskIndicator:
    with risk_desk.db.unit_of_work(write=False) as session:
        found = session.scalar(select(RiskIndicator).where(RiskIndicator.code == code))
        assert found is not None
        return found


def warning_instances(risk_desk: Casedesk) -> list[str]:
    return [i.id for i in risk_desk.runtime.list_instances(process_key="risk_warning")]


def daily_check(risk_desk: Casedesk, day: int) -> None:
    """The monitoring timer: 08:00 Beijing time on `day` January."""
    risk_desk.clock.set(datetime(2026, 1, day, 0, 0, tzinfo=timezone.utc))
    risk_desk.jobs.run_due(worker="test")


def test_r_5_3_an_entered_indicator_warns_once_per_crossing_and_again_after_going_back_under(
        risk_desk: Casedesk, mailbox: Mailbox) -> None:
    enter(risk_desk, "overdue_receivables", 0.2)  # threshold 0.15
    [raised] = warnings(risk_desk)
    assert (raised.number, raised.indicator, raised.value, raised.threshold, raised.status) == (
        "YJ-2026-0001", "overdue_receivables", 0.2, 0.15, "alerted")
    [alert] = mailbox.messages
    assert alert["To"] == "fred@example.com" and "YJ-2026-0001" in alert["Subject"]
    assert "0.2" in alert.get_content() and "0.15" in alert.get_content()
    measures = task(risk_desk, "fred", "take_measures")
    assert measures.due_at is not None
    with risk_desk.db.unit_of_work(write=False) as session:
        assert session.get(ProcessInstance, measures.instance_id).business_key == "YJ-2026-0001"
    assert risk_desk.runtime.list_tasks(user="fay") == []  # assigned to the responsible person, not the group

    enter(risk_desk, "overdue_receivables", 0.25)  # still over: the same crossing, no second warning
    assert len(warnings(risk_desk)) == 1 and len(mailbox.messages) == 1
    enter(risk_desk, "overdue_receivables", 0.1)  # back under: armed again
    assert indicator(risk_desk, "overdue_receivables").state == "normal"
    enter(risk_desk, "overdue_receivables", 0.15)  # reached again: a new warning
    assert [w.number for w in warnings(risk_desk)] == ["YJ-2026-0001", "YJ-2026-0002"]
    assert len(warning_instances(risk_desk)) == 2 and len(mailbox.messages) == 2


def test_r_5_3_an_alert_the_mail_server_refuses_waits_for_its_retry_and_is_never_lost(
        risk_desk: Casedesk, mailbox: Mailbox) -> None:
    mailbox.refuse = True
    reading = enter(risk_desk, "overdue_receivables", 0.2)
    assert risk_desk.runtime.get_instance(reading).status == "completed"  # the entered value is kept
    [raised] = warnings(risk_desk)
    assert raised.status == "raised" and risk_desk.runtime.list_tasks(user="fred") == []

    mailbox.refuse = False
    risk_desk.clock.advance(timedelta(minutes=5))
    assert risk_desk.jobs.run_due(worker="test") == 1
    assert [m["To"] for m in mailbox.messages] == ["fred@example.com"]
    assert warnings(risk_desk)[0].status == "alerted"
    assert task(risk_desk, "fred", "take_measures")


def test_r_5_3_a_value_that_is_not_an_entered_indicator_is_refused_and_nothing_is_kept(risk_desk: Casedesk) -> None:
    started = risk_desk.runtime.start_instance("risk_indicator_reading", {}, actor="rex")
    with pytest.raises(InvalidInput):
        work(risk_desk, "rex", "enter_reading", {"indicator": "overdue_rate", "indicator_value": 0.9,
                                                 "reading_note": ""}, started.id)
    with pytest.raises(InvalidInput):
        work(risk_desk, "rex", "enter_reading", {"indicator": "market_price_change", "indicator_value": -1,
                                                 "reading_note": ""}, started.id)
    assert warnings(risk_desk) == []
    assert task(risk_desk, "rex", "enter_reading", started.id)
    assert risk_desk.runtime.list_tasks(user="sam") == []


def test_r_5_3_a_warning_is_followed_until_the_risk_owner_verifies_the_measures(risk_desk: Casedesk) -> None:
    enter(risk_desk, "market_price_change", 0.3)  # procurement's indicator, threshold 0.1
    [instance_id] = warning_instances(risk_desk)
    work(risk_desk, "peg", "take_measures", {"warning_measures": "Fixed-price contract for Q2. 簽訂二季度定價合同。"})
    assert warnings(risk_desk)[0].status == "measures_taken"
    with pytest.raises(InvalidInput):  # not effective needs the reason
        work(risk_desk, "rex", "verify_measures", {"measures_effective": False, "verification_note": ""})
    work(risk_desk, "rex", "verify_measures", {"measures_effective": False,
                                               "verification_note": "Only one supplier signed. 只有一家供應商簽約。"})
    assert warnings(risk_desk)[0].status == "alerted"
    assert "Only one supplier signed" in task(risk_desk, "peg", "take_measures").instructions

    work(risk_desk, "peg", "take_measures", {"warning_measures": "Second supplier signed. 第二家供應商已簽約。"})
    assert "Second supplier signed" in task(risk_desk, "rex", "verify_measures").instructions
    done = work(risk_desk, "rex", "verify_measures", {"measures_effective": True, "verification_note": "Checked."})
    assert done.status == "completed" and done.id == instance_id
    [closed] = warnings(risk_desk)
    assert (closed.status, closed.measures, closed.closed_at) == (
        "closed", "Second supplier signed. 第二家供應商已簽約。", risk_desk.clock.now())


def test_r_5_3_the_daily_check_warns_when_open_cases_run_overdue_once_per_crossing(
        risk_desk: Casedesk, mailbox: Mailbox) -> None:
    case = accepted_case(risk_desk, "finance")  # handling due 7 January 09:00 (P2D)
    daily_check(risk_desk, 6)
    daily_check(risk_desk, 7)
    assert warnings(risk_desk) == []
    assert indicator(risk_desk, "overdue_rate").last_value == 0.0

    daily_check(risk_desk, 8)  # the one open case is overdue: 100 %
    [raised] = warnings(risk_desk)
    assert (raised.indicator, raised.value, raised.responsible_person) == ("overdue_rate", 1.0, "gil")
    assert [m["To"] for m in mailbox.messages if "YJ-" in m["Subject"]] == ["gil@example.com"]
    daily_check(risk_desk, 9)  # still overdue: no second warning
    assert len(warnings(risk_desk)) == 1

    case.work("fay", "handle_case", {"outcome": "done", "result": "Paid. 已付款。"})
    daily_check(risk_desk, 10)
    assert indicator(risk_desk, "overdue_rate").state == "normal"
    monitoring = risk_desk.runtime.list_instances(process_key="risk_monitoring")
    assert len(monitoring) == 5 and {i.status for i in monitoring} == {"completed"}


def test_r_5_3_dissatisfied_feedback_and_rectifications_are_counted_from_the_cases(
        risk_desk: Casedesk, mailbox: Mailbox) -> None:
    case = handled_case(risk_desk, "sales")
    case.work("sam", "record_feedback", {"satisfaction": "dissatisfied", "opinion": "Too slow.",
                                         "feedback_problem": "Two units arrived damaged.", "rectifying_department": "sales"})
    daily_check(risk_desk, 6)
    [raised] = warnings(risk_desk)
    assert (raised.indicator, raised.value) == ("dissatisfaction_rate", 1.0)
    assert indicator(risk_desk, "open_rectifications").last_value == 1.0
    assert indicator(risk_desk, "open_rectifications").state == "normal"  # under its threshold of 5
    assert task(risk_desk, "gil", "take_measures")


def test_r_5_3_the_register_page_shows_risks_indicators_and_open_warnings_to_the_risk_owner_and_leaders(
        risk_desk: Casedesk) -> None:
    enter(risk_desk, "overdue_receivables", 0.2)
    enter(risk_desk, "market_price_change", 0.3)
    work(risk_desk, "peg", "take_measures", {"warning_measures": "Fixed prices."})
    work(risk_desk, "rex", "verify_measures", {"measures_effective": True, "verification_note": ""})
    web = create_app({"TESTING": True, "CASEDESK": risk_desk, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})

    def page(user: str) -> tuple[int, str]:
        client = web.test_client()
        assert client.post("/login", data={"username": user, "password": PASSWORD}).status_code == 302
        answer = client.get("/risk")
        return answer.status_code, answer.get_data(as_text=True)

    for reader in ("rex", "leo", "root"):
        status, html = page(reader)
        assert status == 200, reader
        assert "YJ-2026-0001" in html and "YJ-2026-0002" not in html  # the closed warning is not open
        assert "Share of receivables overdue" in html and "0.15" in html
        # Staff read names, never codes: the indicator's key and the department's group code stay hidden.
        assert "<code>overdue_receivables</code>" not in html
        assert "Finance / fred" in html and "finance / fred" not in html
        assert 'href="/risk"' in html  # in the main navigation
    client = web.test_client()
    client.post("/login", data={"username": "rex", "password": PASSWORD})
    client.get("/language/zh_Hant")
    html = client.get("/risk").get_data(as_text=True)
    assert "風險登記冊" in html and "逾期應收賬款比例" in html and "人工錄入" in html
    for outsider in ("sam", "fred", "audrey"):
        status, html = page(outsider)
        assert status == 403, outsider
        assert "risk register is for the risk owner" in html


def test_r_5_3_the_risk_owner_sets_a_threshold_and_the_next_value_is_compared_with_it(risk_desk: Casedesk) -> None:
    web = create_app({"TESTING": True, "CASEDESK": risk_desk, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})

    def client(user: str) -> Any:
        signed_in = web.test_client()
        assert signed_in.post("/login", data={"username": user, "password": PASSWORD}).status_code == 302
        return signed_in

    rex, leo = client("rex"), client("leo")
    assert 'name="threshold"' not in leo.get("/risk").get_data(as_text=True)  # leaders read thresholds
    assert leo.post("/risk/indicators/overdue_receivables/threshold", data={"threshold": "0.9"}).status_code == 403
    assert rex.post("/risk/indicators/overdue_receivables/threshold", data={"threshold": "none"}).status_code == 422
    assert rex.post("/risk/indicators/overdue_receivables/threshold", data={"threshold": "-1"}).status_code == 422
    assert rex.post("/risk/indicators/no_such/threshold", data={"threshold": "0.3"}).status_code == 404
    assert indicator(risk_desk, "overdue_receivables").threshold == 0.15  # nothing stored

    saved = rex.post("/risk/indicators/overdue_receivables/threshold", data={"threshold": "0.3"})
    assert saved.status_code == 302
    changed = indicator(risk_desk, "overdue_receivables")
    assert (changed.threshold, changed.threshold_set_by, changed.threshold_set_at) == (
        0.3, "rex", risk_desk.clock.now())
    assert "set by rex" in rex.get("/risk").get_data(as_text=True)
    enter(risk_desk, "overdue_receivables", 0.2)  # under the new threshold
    assert warnings(risk_desk) == []
    enter(risk_desk, "overdue_receivables", 0.3)
    assert [w.threshold for w in warnings(risk_desk)] == [0.3]
