"""What a task page shows of the case (issue 13 item 3): the data the form's `x-show` names, labelled and
formatted for the clerk; the whole data, labelled, for administrators and auditors only."""
from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from casework.demo_org import seed_demo_org
from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from tests.conftest import PASSWORD
from tests.web.conftest import signed_in

EN = {"Accept-Language": "en"}
INTAKE = {"customer_name": "Wang Xiaoming", "mobile": "+86 138 0000 0001", "email": "", "business_type": "sales",
          "question": "How do I order?", "answered_now": True, "answer": "Fill in the application.",
          "wants_to_apply": True}
APPLICATION = {"customer_name": "Wang Xiaoming", "mobile": "+86 138 0000 0001", "email": "wang@example.com",
               "preferred_channel": "phone", "business_type": "sales", "title": "Order 500 units",
               "description": "Delivery in December.", "materials": ["application_form", "contract"]}


@pytest.fixture
def case_chain(app: Casedesk, clock: FakeClock) -> Casedesk:
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "case", PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, clock, PASSWORD)
    return app


def _work(app: Casedesk, view: Any, spec: str, data: dict[str, Any], user: str) -> Any:
    (task,) = [t for t in view.ready_tasks if t.task_spec == spec]
    return app.runtime.complete_task(task.id, data, actor=user)


def _at_handle_case(app: Casedesk) -> Any:
    view = app.runtime.start_instance("business_case", {}, actor="ivy")
    view = _work(app, view, "receive_consultation", INTAKE, "ivy")
    view = _work(app, view, "fill_application", APPLICATION, "ivy")
    return _work(app, view, "prereview_materials", {"missing_items": [], "review_remarks": ""}, "ivy")


def _section(page: str, css_class: str) -> str:
    match = re.search(rf'<section class="card {css_class}">(.*?)</section>', page, re.S)
    return match.group(1) if match else ""


def test_r_2_2_the_handler_sees_the_customer_the_request_and_the_quality_requirement_labelled(
        case_chain: Casedesk, web: Flask) -> None:
    view = _at_handle_case(case_chain)
    page = signed_in(web, "sam").get(f"/tasks/{view.ready_tasks[0].id}", headers=EN).get_data(as_text=True)

    shown = _section(page, "case-data")
    for label, value in [("Customer", "Wang Xiaoming"), ("Mobile phone", "+86 138 0000 0001"),
                         ("E-mail", "wang@example.com"), ("Notify me by", "Phone"), ("Business type", "Sales"),
                         ("Subject", "Order 500 units"), ("Details", "Delivery in December."),
                         ("Quality requirement", "Contract terms lawful"), ("Time limit", "3 days")]:
        assert re.search(rf"<dt>{re.escape(label)}</dt><dd[^>]*>[^<]*{re.escape(value)}", shown), label
    assert "<li>Application form</li><li>Contract</li>" in shown  # a list of choice labels, not codes
    assert re.search(r"<dt>Case number</dt><dd[^>]*>XS-\d{8}-\d{4}</dd>", shown)
    # Nothing internal for staff: no variable names, no True/False, no JSON, no raw data block.
    text = re.sub(r"<[^>]*>", " ", page)  # what the clerk reads (markup and attributes aside)
    for internal in ("quality_requirement", "customer_name", "materials_filing", "application_form",
                     "True", "False", "{&#34;", '{"', "All case data"):
        assert internal not in text, internal
    assert "quality_requirement" not in page and "materials_filing" not in page
    assert shown.index("Customer") < page.index('<form method="post"')  # above the form


def test_r_2_4_the_rectifier_sees_the_verifiers_rejection_note(case_chain: Casedesk, web: Flask) -> None:
    view = _work(case_chain, _at_handle_case(case_chain), "handle_case",
                 {"outcome": "done", "result": "Contract signed."}, "sam")
    view = _work(case_chain, view, "phone_customer", {"reached": True, "call_note": "Told him."}, "sam")
    view = _work(case_chain, view, "record_feedback", {"satisfaction": "dissatisfied", "opinion": "Late.",
                                                       "feedback_problem": "Delivery was late.",
                                                       "rectifying_department": "sales"}, "sam")
    view = _work(case_chain, view, "rectify", {"measures": "New courier."}, "sam")
    view = _work(case_chain, view, "inform_customer", {"customer_response": "Accepted."}, "sam")
    view = _work(case_chain, view, "verify_rectification",
                 {"solved": False, "verification_note": "The courier is late again."}, "sue")

    (task,) = view.ready_tasks
    assert task.task_spec == "rectify"
    shown = _section(signed_in(web, "sam").get(f"/tasks/{task.id}", headers=EN).get_data(as_text=True), "case-data")
    assert re.search(r"<dt>Verification record</dt><dd[^>]*>The courier is late again\.</dd>", shown)
    assert re.search(r"<dt>Customer&#39;s view</dt><dd[^>]*>Dissatisfied</dd>", shown)
    assert re.search(r"<dt>Problem and the customer&#39;s demand</dt><dd[^>]*>Delivery was late\.</dd>", shown)


@pytest.mark.parametrize("user", ["root", "audrey"])
def test_administrators_and_auditors_see_all_the_data_labelled_by_the_forms(
        case_chain: Casedesk, web: Flask, user: str) -> None:
    view = _at_handle_case(case_chain)
    client = signed_in(web, user)
    for url in (f"/tasks/{view.ready_tasks[0].id}", f"/instances/{view.id}"):
        page = client.get(url, headers=EN).get_data(as_text=True)
        assert re.search(r"<dt>Answered on the spot</dt><dd[^>]*>Yes</dd>", page), url
        assert re.search(r"<dt>Materials handed in</dt><dd[^>]*><ul><li>Application form</li>", page), url
        assert re.search(r"<dt>Mobile phone</dt><dd[^>]*>\+86 138 0000 0001</dd>", page), url
        assert "<dt>answered_now</dt>" not in page and "<dt>True</dt>" not in page


def test_staff_get_only_what_the_forms_describe_on_the_case_page(case_chain: Casedesk, web: Flask) -> None:
    view = _at_handle_case(case_chain)
    staff = signed_in(web, "ivy").get(f"/instances/{view.id}", headers=EN).get_data(as_text=True)
    auditor = signed_in(web, "audrey").get(f"/instances/{view.id}", headers=EN).get_data(as_text=True)
    assert re.search(r"<dt>Mobile phone</dt><dd[^>]*>\+86 138 0000 0001</dd>", staff)
    assert "DA-XS-2026-000001" not in staff  # a service's record, described by no form: not for staff
    assert re.search(r"<dt>Materials filing</dt><dd[^>]*><ul><li>Archive number of the materials: DA-XS-2026-000001"
                     r"</li>", auditor)  # the part's label from the x-show entry that names it


@pytest.mark.parametrize(("language", "part"), [("zh_Hans", "申请材料档案号"), ("zh_Hant", "申請材料檔案號")])
def test_an_auditor_reading_chinese_sees_the_forms_labels_in_chinese_and_other_names_as_stored(
        case_chain: Casedesk, web: Flask, language: str, part: str) -> None:
    view = _at_handle_case(case_chain)
    auditor = signed_in(web, "audrey")
    auditor.get(f"/language/{language}")
    page = auditor.get(f"/instances/{view.id}").get_data(as_text=True)
    assert re.search(rf"<dt>materials_filing</dt><dd[^>]*><ul><li>{part}: DA-XS-2026-000001</li>", page)
    assert "Materials filing" not in page and "Archive number" not in page  # no English words made of names


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-Hans", ["案件情况", "<dt>客户姓名</dt>", "<dt>质量要求</dt>", "<dt>办理时限</dt>", "<li>申请表</li>"]),
    ("zh-Hant", ["案件情況", "<dt>客戶姓名</dt>", "<dt>質量要求</dt>", "<dt>辦理時限</dt>", "<li>申請表</li>"]),
])
def test_the_case_data_is_labelled_in_the_pages_language(
        case_chain: Casedesk, web: Flask, language: str, expected: list[str]) -> None:
    view = _at_handle_case(case_chain)
    client = signed_in(web, "sam")
    client.get(f"/language/{language.replace('-', '_')}")
    shown = _section(client.get(f"/tasks/{view.ready_tasks[0].id}").get_data(as_text=True), "case-data")
    for text in expected:
        assert text in shown, text
    assert "Quality requirement" not in shown and "Customer" not in shown
