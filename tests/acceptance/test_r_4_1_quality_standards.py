"""R-4.1 Quality standards (質量標準制定): per business type, standards for intake, processing and feedback,
kept in a decision table the quality owner edits, and applied where cases are checked."""
from __future__ import annotations

from datetime import datetime, timezone

from engine.bootstrap import Casedesk
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    DEPARTMENT_STAFF, PASSWORD, Case, _mail_server, _sms_server, application_data, consult_and_apply,
    desk, mailbox, sms)
from tests.acceptance.quality_support import (  # noqa: F401 - fixtures
    SELF_CHECK, finished_case, fire, quality_bundle, quality_desk, tasks_of, work)
from tests.support.steps import area_files
from web.app import create_app

STANDARDS = {  # one phrase of each standard, per business type and stage
    "sales": ("missing materials named at once", "Contract terms lawful", "dissatisfaction rectified"),
    "procurement": ("Requirement and budget clear", "acceptance against the contract",
                    "Applicant told the acceptance result"),
    "finance": ("Vouchers genuine and complete", "Accounting standards met", "Result notified in writing"),
    "general": ("need recorded clearly", "Handled by the procedure", "Result told promptly"),
}


def test_r_4_1_every_business_type_has_intake_processing_and_feedback_standards_the_inspector_sees(
        quality_desk: Casedesk) -> None:
    for business_type in STANDARDS:
        finished_case(quality_desk, business_type)
    check = fire(quality_desk, SELF_CHECK, "quality_self_check")
    for business_type, phrases in STANDARDS.items():
        inspector = DEPARTMENT_STAFF[business_type][0]
        [task] = tasks_of(quality_desk, check, inspector, "inspect_sample")
        shown = task.instructions or ""
        intake, processing, feedback = (shown.index(phrase) for phrase in phrases)
        assert shown.index("Intake standard") < intake < shown.index("Processing standard") < processing \
            < shown.index("Feedback standard") < feedback, shown
        others = [p for other, ps in STANDARDS.items() if other != business_type for p in ps]
        assert not any(phrase in shown for phrase in others)  # only its own type's standards


def standards_of(case: Case) -> dict[str, str]:
    [looked_up] = [e for e in case.events("task_done") if e["element"] == "look_up_quality_standards"]
    return {k: v for k, v in looked_up["delta"]["set"].items() if k.endswith("_standard")}


def test_r_4_1_each_case_carries_the_standards_of_its_business_type_from_intake_on(quality_desk: Casedesk) -> None:
    for business_type, phrases in STANDARDS.items():
        standards = standards_of(consult_and_apply(quality_desk, business_type))
        assert sorted(standards) == ["feedback_standard", "intake_standard", "processing_standard"]
        for stage, phrase in zip(("intake_standard", "processing_standard", "feedback_standard"), phrases):
            assert phrase in standards[stage]
    closed = finished_case(quality_desk, "finance")  # they stay with the case to its end
    assert STANDARDS["finance"][2] in closed.final_data()["feedback_standard"]


def test_r_4_1_the_quality_owner_edits_the_standards_and_new_cases_and_inspections_apply_them(
        quality_desk: Casedesk) -> None:
    assert {"quality", "process_owner"} <= quality_desk.users.groups("quinn")  # may change definitions
    table = "quality_standards.dmn"
    files = {**area_files("case"), **quality_bundle()}
    edited = files[table].decode().replace("Contract terms lawful, reasonable, clear; done within 3 days",
                                           "Contract reviewed by legal; done within 2 days")
    assert edited != files[table].decode()
    results = quality_desk.definitions.deploy({**files, table: edited.encode()}, "quinn", origin="upload")
    assert {"business_case", "quality_inspection"} <= {r.key for r in results if r.version == 2}

    assert "Contract reviewed by legal" in standards_of(consult_and_apply(quality_desk, "sales"))["processing_standard"]
    finished_case(quality_desk, "sales")
    check = fire(quality_desk, SELF_CHECK, "quality_self_check")
    [task] = tasks_of(quality_desk, check, "sam", "inspect_sample")
    assert "Contract reviewed by legal; done within 2 days" in (task.instructions or "")
    assert "done within 3 days" not in (task.instructions or "")
    work(quality_desk, task, "sam", {"inspection_notes": "Checked against the new standard.", "problems_found": False})
    # A month later the case is no longer in the period: nothing is sampled twice by the monthly self-check.
    next_month = fire(quality_desk, datetime(2026, 2, 25, 1, 0, tzinfo=timezone.utc), "quality_self_check")
    assert tasks_of(quality_desk, next_month, "sam", "inspect_sample") == []
    assert quality_desk.runtime.get_instance(next_month).status == "completed"


def page_of(desk: Casedesk, user: str, task_id: str) -> str:
    client = create_app({"TESTING": True, "CASEDESK": desk, "SECRET_KEY": "test",
                         "WTF_CSRF_ENABLED": False}).test_client()
    assert client.post("/login", data={"username": user, "password": PASSWORD}).status_code == 302
    return client.get(f"/tasks/{task_id}", headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)


def test_r_4_1_intake_processing_and_feedback_staff_read_their_stage_s_standard_on_the_task_page(
        quality_desk: Casedesk) -> None:
    # The table holds English; a zh-Hant page shows the bundle catalogue's words for procurement.
    intake, processing, feedback = ("採購需求與預算明確", "嚴格按合同驗收", "驗收結果通知申請人")
    case = consult_and_apply(quality_desk, "procurement")
    case.work("ivy", "fill_application", application_data("procurement"))
    prereview = page_of(quality_desk, "ivy", case.task("ivy", "prereview_materials").id)
    assert "受理質量標準" in prereview and intake in prereview and processing not in prereview
    case.work("ivy", "prereview_materials", {"missing_items": [], "review_remarks": ""})
    handling = page_of(quality_desk, "pat", case.task("pat", "handle_case").id)
    assert "處理質量標準" in handling and processing in handling
    case.work("pat", "handle_case", {"outcome": "done", "result": "Goods accepted against the contract."})
    recording = page_of(quality_desk, "pat", case.task("pat", "record_feedback").id)
    assert "反饋質量標準" in recording and feedback in recording
