"""R-4.3 Quality assessment (質量考核評估): quality indicators per person and department, computed from the
case histories (on-time rate, rework and rectification rate, satisfaction, inspection findings), shown on a
page to the quality owner and leaders and exported per period for the staff appraisal."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from casework.quality_indicators import Figures, Indicators, Period, QualityIndicatorService, appraisal_rows
from engine.bootstrap import Casedesk
from engine.errors import InvalidInput
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    PASSWORD, _mail_server, _sms_server, accepted_case, desk, mailbox, sms)
from tests.acceptance.quality_support import (  # noqa: F401 - fixtures
    SATISFIED, SELF_CHECK, finished_case, fire, quality_desk, tasks_of, work)
from web.app import create_app

ZONE = "Asia/Shanghai"


def a_month_of_work(desk: Casedesk) -> None:
    """January 2026: sam closes one case to the customer's satisfaction and one after a rectification;
    fay reports a problem to her head, handles the case again after the deadline, and a self-check finds
    a problem in it."""
    finished_case(desk, "sales")
    finished_case(desk, "sales", {"satisfaction": "dissatisfied", "opinion": "Late.",
                                  "feedback_problem": "Delivery two days late.", "rectifying_department": "sales"})
    rectified = [c for c in desk.runtime.list_tasks(user="sam") if c.task_spec == "rectify"][0]
    work(desk, rectified, "sam", {"measures": "Express delivery of the rest."})
    [inform] = [t for t in desk.runtime.list_tasks(user="sam") if t.task_spec == "inform_customer"]
    work(desk, inform, "sam", {"customer_response": "Fine now."})
    [verify] = [t for t in desk.runtime.list_tasks(user="sue") if t.task_spec == "verify_rectification"]
    work(desk, verify, "sue", {"solved": True, "verification_note": "Customer confirmed."})

    case = accepted_case(desk, "finance")
    case.work("fay", "handle_case", {"outcome": "problem", "result": "", "problem": "Voucher unclear."})
    case.work("fred", "supervisor_answer", {"supervisor_answer": "Ask the customer for the original."})
    desk.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]  # past the 2-day finance deadline
    case.work("fay", "handle_case", {"outcome": "done", "result": "Paid."})
    case.work("fay", "record_feedback", SATISFIED)
    number = str(case.service_results("case_number")[0])

    check = fire(desk, SELF_CHECK, "quality_self_check")
    for user in ("sam", "fay"):
        [inspection] = tasks_of(desk, check, user, "inspect_sample")
        work(desk, inspection, user, {"inspection_notes": "Checked.", "problems_found": user == "fay"})
    [record] = tasks_of(desk, check, "fay", "record_finding")
    work(desk, record, "fay", {"finding_case": number, "finding_person": "fay", "finding_problem": "Paid late.",
                               "finding_cause": "Original voucher missing at intake.",
                               "corrective_measure": "Ask for originals at intake.", "another_finding": False})


def by_name(figures: list[Figures]) -> dict[str, Figures]:
    return {f.name: f for f in figures}


def test_r_4_3_1_indicators_per_person_and_department_come_from_the_month_s_cases_and_findings(
        quality_desk: Casedesk) -> None:
    a_month_of_work(quality_desk)
    january = QualityIndicatorService(quality_desk.db).indicators(Period.parse("2026-01", ZONE))

    people, departments = by_name(january.people), by_name(january.departments)
    sam, fay = people["sam"], people["fay"]
    assert (sam.cases, sam.reworked, sam.rectified, sam.rated, sam.satisfied) == (2, 0, 1, 2, 1)
    assert (sam.rectification_rate, sam.satisfaction_rate, sam.rework_rate) == (0.5, 0.5, 0.0)
    assert sam.on_time_rate == 1.0 and sam.findings == 0
    assert (fay.cases, fay.reworked, fay.findings, fay.open_findings) == (1, 1, 1, 1)
    assert fay.rework_rate == 1.0 and fay.on_time_rate is not None and fay.on_time_rate < 1.0
    assert (departments["sales"].cases, departments["sales"].rectified) == (2, 1)
    assert (departments["finance"].cases, departments["finance"].findings) == (1, 1)
    assert departments["finance"].on_time_rate == fay.on_time_rate  # all of its dated tasks were fay's

    february = QualityIndicatorService(quality_desk.db).indicators(Period.parse("2026-02", ZONE))
    assert (february.people, february.departments) == ([], [])
    quarter = QualityIndicatorService(quality_desk.db).indicators(Period.parse("2026-Q1", ZONE))
    assert by_name(quarter.people)["sam"].cases == 2


def test_r_4_3_1_periods_are_months_quarters_or_years_in_the_company_zone() -> None:
    q1 = Period.parse("2026-Q1", ZONE)
    assert (q1.start.isoformat(), q1.end.isoformat()) == ("2026-01-01T00:00:00+08:00", "2026-04-01T00:00:00+08:00")
    assert Period.parse("2026-12", ZONE).end.isoformat() == "2027-01-01T00:00:00+08:00"
    for wrong in ("2026-13", "26-01", "2026-Q5", "last month", "1999"):
        with pytest.raises(InvalidInput):
            Period.parse(wrong, ZONE)


def signed_in(desk: Casedesk, user: str) -> FlaskClient:
    client = create_app({"TESTING": True, "CASEDESK": desk, "SECRET_KEY": "test",
                         "WTF_CSRF_ENABLED": False}).test_client()
    assert client.post("/login", data={"username": user, "password": PASSWORD}).status_code == 302
    return client


def test_r_4_3_the_quality_owner_and_leaders_see_the_page_and_export_the_appraisal(quality_desk: Casedesk) -> None:
    a_month_of_work(quality_desk)
    page = signed_in(quality_desk, "quinn").get("/quality?period=2026-01")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-name="sam"' in html and 'data-name="finance"' in html and "50%" in html
    assert '<th scope="row">Finance</th>' in html  # the department by its name, not its group code
    assert "Ask for originals at intake." in html  # fay's finding is still open, whatever the period
    assert "Ask for originals at intake." in signed_in(quality_desk, "quinn").get("/quality?period=2025").get_data(
        as_text=True)
    assert signed_in(quality_desk, "leo").get("/quality?period=2026-01").status_code == 200
    assert signed_in(quality_desk, "sam").get("/quality?period=2026-01").status_code == 403
    assert signed_in(quality_desk, "quinn").get("/quality?period=2026-13").status_code in (400, 422)

    export = signed_in(quality_desk, "leo").get("/quality/appraisal.csv?period=2026-01")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert 'filename="quality-appraisal-2026-01.csv"' in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    sam = next(r for r in rows if (r["level"], r["name"]) == ("person", "sam"))
    assert (sam["period"], sam["cases"], sam["rectification_rate"], sam["satisfaction_rate"]) == (
        "2026-01", "2", "0.500", "0.500")
    finance = next(r for r in rows if (r["level"], r["name"]) == ("department", "finance"))
    assert (finance["findings"], finance["open_findings"], finance["rework_rate"]) == ("1", "1", "1.000")


def test_r_4_3_the_appraisal_export_never_holds_a_spreadsheet_formula() -> None:
    period = Period.parse("2026-01", ZONE)
    rows = list(appraisal_rows(Indicators(period, people=[Figures("=HYPERLINK(1)", cases=1)],
                                          departments=[Figures("@sales")])))
    assert [row["name"] for row in rows] == ["'@sales", "'=HYPERLINK(1)"]
    assert rows[1]["rework_rate"] == "0.000" and rows[0]["on_time_rate"] == ""
