"""A record casework cannot find (404), a request it lost a race with (409, its state named in the reader's words)
and a register refused to staff (403) read in the requester's language; logs, events and the command line keep the
English sentence."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask

from casework import leave
from casework.leave_models import LeaveRecord
from engine.bootstrap import Casedesk
from engine.errors import Conflict, Forbidden, NotFound
from web.errors import error_body_of


def approved_leave(app: Casedesk) -> str:
    now = app.clock.now()
    with app.db.unit_of_work() as session:
        session.add(LeaveRecord(id="L-1", requester="alice", superior_group="clerk_head", leave_type="annual",
                                first_day=date(2030, 1, 7), last_day=date(2030, 1, 8), starts_at=now + timedelta(days=9),
                                ends_at=now + timedelta(days=11), reason="family visit", status="approved",
                                requested_at=now))
        session.commit()
    return "L-1"


def worded(web: Flask, error: Exception) -> dict[str, tuple[int, str]]:
    said = {}
    for tag in ("zh-CN", "zh-TW", "en"):
        with web.test_request_context("/api/v1/tasks/t/complete", headers={"Accept-Language": tag}):
            body = error_body_of(error)["error"]
        said[tag] = (body["status"], body["message"])
    return said


def test_a_request_already_decided_is_a_409_naming_its_state_in_the_readers_language(app: Casedesk,
                                                                                     web: Flask) -> None:
    leave_id = approved_leave(app)
    with pytest.raises(Conflict) as caught, app.db.transaction() as conn:
        leave.withdraw(conn, app.clock.now(), leave_id)
    assert str(caught.value) == "leave request L-1 is approved; only a rejected request is withdrawn"
    assert worded(web, caught.value) == {
        "zh-CN": (409, "请假申请 L-1 的状态是“已批准”；只有被驳回的申请才能撤回"),
        "zh-TW": (409, "請假申請 L-1 的狀態是「已批准」；只有被駁回的申請才能撤回"),
        "en": (409, "leave request L-1 is approved; only a rejected request is withdrawn")}


def test_a_missing_leave_request_is_a_404_in_the_readers_language(app: Casedesk, web: Flask) -> None:
    with pytest.raises(NotFound) as caught, app.db.transaction() as conn:
        leave.decide(conn, app.clock.now(), "L-404", True)
    assert worded(web, caught.value) == {"zh-CN": (404, "没有请假申请 L-404"), "zh-TW": (404, "沒有請假申請 L-404"),
                                         "en": (404, "no leave request L-404")}


def test_a_register_page_refused_to_staff_is_a_403_naming_what_in_the_readers_language(app: Casedesk,
                                                                                        web: Flask) -> None:
    with pytest.raises(Forbidden) as caught:
        app.archives.inventory("alice")
    assert str(caught.value) == "alice may not take the archive inventory: only archivists and auditors may"
    assert worded(web, caught.value) == {
        "zh-CN": (403, "alice 无权进行档案盘点：只有档案管理员和审计员可以"),
        "zh-TW": (403, "alice 無權進行檔案盤點：只有檔案管理員和審計員可以"),
        "en": (403, "alice may not take the archive inventory: only archivists and auditors may")}
