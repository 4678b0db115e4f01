"""Staff, tracker and auditor pages as a user meets them (issue 5, items 1–3, 5–7)."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

from flask import Flask

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from tests.conftest import PASSWORD
from tests.web.conftest import LoginAs, Scenario
from web.app import create_app


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def _tasks_listed(response) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r'data-task="([^"]+)"', _text(response))


def test_wrong_password_is_refused_and_signs_nobody_in(login_as: LoginAs, web: Flask) -> None:
    client = web.test_client()
    response = client.post("/login", data={"username": "u_clerk", "password": "wrong-password"})
    assert response.status_code == 401
    assert "wrong password" in _text(response)
    assert client.get("/inbox").status_code == 302


def test_form_posts_without_the_csrf_token_are_refused_and_change_nothing(app: Casedesk, web: Flask) -> None:
    guarded = create_app({"TESTING": True, "CASEDESK": app, "SECRET_KEY": "test"})
    client = guarded.test_client()
    page = _text(client.get("/login"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"username": "u_clerk", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    scenario = Scenario(app)
    reviewer = guarded.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"',  # type: ignore[union-attr]
                      _text(reviewer.get("/login"))).group(1)
    reviewer.post("/login", data={"username": "u_reviewer", "password": PASSWORD, "csrf_token": token})
    refused = reviewer.post(f"/tasks/{scenario.task_id}/claim")
    assert refused.status_code == 400
    assert app.runtime.list_tasks(instance_id=scenario.instance_id)[0].assignee is None


def test_r_2_2_inbox_shows_group_tasks_and_claiming_moves_them_to_mine(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    reviewer, outsider = login_as("reviewer"), login_as("outsider")
    assert scenario.task_id in _tasks_listed(reviewer.get("/inbox?scope=groups"))
    assert scenario.task_id not in _tasks_listed(reviewer.get("/inbox?scope=mine"))
    assert scenario.task_id not in _tasks_listed(outsider.get("/inbox"))
    assert reviewer.post(f"/tasks/{scenario.task_id}/claim").status_code == 302
    assert scenario.task_id in _tasks_listed(reviewer.get("/inbox?scope=mine"))
    assert scenario.task_id not in _tasks_listed(reviewer.get("/inbox?scope=groups"))
    assert "claimed by u_reviewer" in _text(reviewer.get("/inbox"))
    assert reviewer.post(f"/tasks/{scenario.task_id}/unclaim").status_code == 302
    assert scenario.task_id in _tasks_listed(reviewer.get("/inbox?scope=groups"))


def test_inbox_filters_by_process_and_refuses_unknown_filter_values(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    reviewer = login_as("reviewer")
    assert scenario.task_id in _tasks_listed(reviewer.get("/inbox?process=document_review&sort=newest"))
    assert _tasks_listed(reviewer.get("/inbox?process=other_process")) == []
    assert _tasks_listed(reviewer.get("/inbox?business_type=sales")) == []  # no case number yet
    assert reviewer.get("/inbox?sort=sideways").status_code == 422


def test_task_form_errors_are_shown_per_field_and_keep_what_was_typed(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    reviewer = login_as("reviewer")
    response = reviewer.post(f"/tasks/{scenario.task_id}", data={"decision": "", "comment": "typed by hand"})
    assert response.status_code == 422
    page = _text(response)
    assert 'class="field has-error" data-field="decision"' in page
    assert "typed by hand" in page
    assert "This field is required." in page
    assert app.runtime.list_tasks(instance_id=scenario.instance_id)[0].id == scenario.task_id  # nothing saved
    done = reviewer.post(f"/tasks/{scenario.task_id}", data={"decision": "approve", "comment": "ok"})
    assert done.status_code == 302
    assert app.runtime.get_instance(scenario.instance_id).status == "completed"


def test_task_page_shows_the_form_in_the_chosen_language(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    reviewer = login_as("reviewer")
    assert "Decision" in _text(reviewer.get(f"/tasks/{scenario.task_id}"))
    reviewer.get("/language/zh_Hans")
    page = _text(reviewer.get(f"/tasks/{scenario.task_id}"))
    assert "审核结论" in page and "认领" in page and "審核結論" not in page
    reviewer.get("/language/zh_Hant")
    page = _text(reviewer.get(f"/tasks/{scenario.task_id}"))
    assert "審核結論" in page and "認領" in page


def test_browser_language_is_the_default(web: Flask) -> None:
    client = web.test_client()
    assert "用戶名" in _text(client.get("/login", headers={"Accept-Language": "zh-TW,zh;q=0.9"}))
    assert "用戶名" in _text(client.get("/login", headers={"Accept-Language": "zh-Hant-HK"}))
    assert "用户名" in _text(client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}))
    assert "User name" in _text(client.get("/login", headers={"Accept-Language": "en-GB"}))


def test_times_are_shown_in_the_users_time_zone(app: Casedesk, clock: FakeClock, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    utc = app.runtime.get_instance(scenario.instance_id)
    moment = clock.now()
    shanghai = login_as("clerk", timezone="Asia/Shanghai")
    page = _text(shanghai.get(f"/instances/{utc.id}"))
    local = (moment + timedelta(hours=8)).strftime("%-I:%M:%S\u202f%p").replace("\u202f", " ")
    assert local in page.replace("\u202f", " "), local
    assert shanghai.post("/timezone", data={"timezone": "Mars/Olympus"}).status_code == 400


def test_starting_a_case_leads_the_starter_to_the_first_form(app: Casedesk, login_as: LoginAs) -> None:
    clerk = login_as("clerk")
    assert "document_review" in _text(clerk.get("/start"))
    assert "document_review" not in _text(login_as("reviewer").get("/start"))
    response = clerk.post("/start/document_review", data={"title": "Leave policy"})
    assert response.status_code == 302 and "/tasks/" in response.location
    assert "Draft the document" in _text(clerk.get(response.location))


def test_instance_page_marks_completed_and_waiting_elements_and_shows_data(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    page = _text(login_as("clerk").get(f"/instances/{scenario.instance_id}"))
    completed = json.loads(re.search(r'data-completed="([^"]*)"', page).group(1).replace("&#34;", '"'))  # type: ignore[union-attr]
    active = json.loads(re.search(r'data-active="([^"]*)"', page).group(1).replace("&#34;", '"'))  # type: ignore[union-attr]
    assert {"start", "prepare", "draft"} <= set(completed)
    assert active == ["review"]
    assert "Travel policy" in page
    assert 'data-type="task_submitted"' in page
    assert login_as("outsider").get(f"/instances/{scenario.instance_id}").status_code == 403


def test_instance_list_filters_by_status_and_starter(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    auditor = login_as("auditor")
    assert scenario.instance_id in _text(auditor.get("/instances?status=running&starter=u_clerk"))
    assert scenario.instance_id not in _text(auditor.get("/instances?status=completed"))
    assert scenario.instance_id not in _text(auditor.get("/instances?starter=someone_else"))
    assert scenario.instance_id not in _text(login_as("outsider").get("/instances"))


def test_starter_cancels_a_case_and_it_stays_cancelled(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    response = login_as("clerk").post(f"/instances/{scenario.instance_id}/cancel", data={"reason": "duplicate"})
    assert response.status_code == 302
    assert app.runtime.get_instance(scenario.instance_id).status == "cancelled"
    again = login_as("clerk").post(f"/instances/{scenario.instance_id}/cancel", data={"reason": "again"})
    assert again.status_code == 409


def test_a_task_done_by_someone_else_answers_409_not_a_crash(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    app.runtime.complete_task(scenario.task_id, {"decision": "approve"}, actor="u_reviewer")
    response = login_as("reviewer").post(f"/tasks/{scenario.task_id}", data={"decision": "approve"})
    assert response.status_code == 409


def test_auditor_reads_the_history_and_exports_it_as_json_and_csv(app: Casedesk, login_as: LoginAs) -> None:
    scenario = Scenario(app)
    auditor = login_as("auditor")
    page = _text(auditor.get(f"/audit/{scenario.instance_id}"))
    assert 'data-chain="ok"' in page
    events = app.history.events(scenario.instance_id)
    exported = json.loads(_text(auditor.get(f"/audit/{scenario.instance_id}/history.json")))
    assert [e["seq"] for e in exported["events"]] == [e.seq for e in events]
    assert exported["events"][-1]["hash"] == events[-1].hash
    rows = list(csv.DictReader(io.StringIO(_text(auditor.get(f"/audit/{scenario.instance_id}/history.csv")).lstrip("\ufeff"))))
    assert [r["type"] for r in rows] == [e.type for e in events]
    assert login_as("clerk").get(f"/audit/{scenario.instance_id}/history.csv").status_code == 403


def test_r_2_2_3_tracker_lists_open_cases_by_stage_and_the_report_counts_them(app: Casedesk, login_as: LoginAs) -> None:
    first, second = Scenario(app), Scenario(app)
    app.runtime.complete_task(second.task_id, {"decision": "approve"}, actor="u_reviewer")
    tracker = login_as("tracker")
    page = _text(tracker.get("/tracker"))
    assert 'data-stage="document_review"' in page and first.instance_id in page
    assert second.instance_id not in page  # completed cases are not open
    report = _text(tracker.get("/tracker/report?period=all"))
    assert re.search(r'data-figure="open">1<', report)
    assert "<svg" in report
    # In Chinese each stage is named in Chinese, on the page and in the report's charts.
    tracker.get("/language/zh_Hans")
    chinese = _text(tracker.get("/tracker"))
    assert re.search(r'data-stage="document_review">\s*<h2>文件审核 <span', chinese) and "Document review" not in chinese
    chinese_report = _text(tracker.get("/tracker/report?period=all"))
    assert "文件审核" in chinese_report and "Document review" not in chinese_report
    # The mean time's bars end in the unit the heading names, in Chinese too.
    assert re.search(r"\d\.\d min<", report) and not re.search(r"\d min<", chinese_report)
    assert re.search(r"\d\.\d 分钟<", chinese_report)


def test_a_refusal_explains_itself_in_the_users_language(login_as: LoginAs) -> None:
    clerk = login_as("clerk")
    refused = clerk.get("/tracker")
    assert refused.status_code == 403 and "for trackers, auditors and administrators" in _text(refused)
    clerk.get("/language/zh_Hans")
    assert "仅供进度跟踪员" in _text(clerk.get("/tracker"))
