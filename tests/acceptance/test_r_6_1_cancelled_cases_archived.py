"""R-6.1 Collection, for a case an administrator cancels (issue 15, item 5): what the case had collected is
still archived — in the archive opened at acceptance, or in one of its own when it was cancelled earlier —
marked cancelled, with who cancelled it and why; the archive register shows it, the guard (R-6.4) reads it."""
from __future__ import annotations

from typing import Any

import pytest

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.errors import Forbidden
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    PASSWORD, Case, _mail_server, _sms_server, accepted_case, consult_and_apply, desk, mailbox, sms)
from web.app import create_app

REASON = "Customer went bankrupt; the order is void. 客戶破產，訂單作廢。"


def cancel(case: Case, actor: str = "root", reason: str = REASON) -> None:
    case.desk.runtime.warm.clear()
    case.desk.runtime.cancel_instance(case.id, actor=actor, reason=reason)


def borrow_and_read(desk: Casedesk, number: str, reader: str = "sue") -> dict[str, Any]:
    """The archive's content as a reader sees it after the archivist approved their borrowing (R-6.4)."""
    desk.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "archive", PROJECT_ROOT / "forms"), "owen")
    borrowing = desk.runtime.start_instance("archive_borrowing", {}, actor=reader)
    for user, spec, data in ((reader, "apply", {"archive_number": number, "purpose": "audit of the cancellation",
                                                "days": 3}),
                             ("ann", "archivist_review", {"archivist_decision": "approve"})):
        [task] = [t for t in desk.runtime.list_tasks(user=user, instance_id=borrowing.id) if t.task_spec == spec]
        desk.runtime.warm.clear()
        desk.runtime.complete_task(task.id, data, actor=user)
    return {item.name: item.content for item in desk.archives.read(number, reader).items}


def test_r_6_1_an_accepted_case_cancelled_by_the_administrator_is_filed_in_its_archive_marked_cancelled(
        desk: Casedesk) -> None:
    case = accepted_case(desk, "sales")
    [opened] = case.service_results("file_materials")
    number = opened["archive_number"]
    cancel(case)

    assert case.status == "cancelled" and case.ready() == []
    record = desk.archives.register_record(number, "ann")
    assert (record.entry.status, record.entry.archive_class) == ("cancelled", "sales")
    assert record.entry.case_number is not None and record.entry.case_number.startswith("XS-")
    names = [i.name for i in record.items]
    assert names[:3] == ["application_form", "identity_document", "contract"]  # filed at acceptance
    assert names[3:] == ["application", "cancellation", "consultation", "prereview", "processing"]
    [cancelled] = case.events("instance_cancelled")
    assert cancelled == {"reason": REASON, "archived_as": number}  # the history says where the records went

    content = borrow_and_read(desk, number)
    assert content["cancellation"]["cancelled_by"] == "root" and content["cancellation"]["reason"] == REASON
    assert content["application"]["case_number"] == record.entry.case_number
    assert content["processing"]["department"] == "sales"  # assigned, not yet handled
    assert number not in {f.archive for f in desk.archives.inventory("ann").findings}  # complete enough


def test_r_6_1_a_case_cancelled_before_acceptance_gets_its_own_archive_in_its_business_types_class(
        desk: Casedesk) -> None:
    case = consult_and_apply(desk, "finance")
    cancel(case, reason="Opened twice by mistake. 重複建立。")
    [cancelled] = case.events("instance_cancelled")
    number = cancelled["archived_as"]
    assert number.startswith("DA-CW-")  # the finance class's own series
    record = desk.archives.register_record(number, "ann")
    assert (record.entry.status, record.entry.case_number, record.entry.title) == (
        "cancelled", None, "How do I order? 如何下單？")
    assert [i.name for i in record.items] == ["cancellation", "consultation"]
    with pytest.raises(Forbidden):  # the cancelled case's archive is read only through a borrowing
        desk.archives.read(number, "ann")


def test_r_6_1_the_register_shows_a_cancelled_case_as_such_in_both_languages(desk: Casedesk) -> None:
    case = accepted_case(desk, "procurement")
    cancel(case)
    [cancelled] = case.events("instance_cancelled")
    web = create_app({"TESTING": True, "CASEDESK": desk, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})
    client = web.test_client()
    assert client.post("/login", data={"username": "ann", "password": PASSWORD}).status_code == 302
    html = client.get("/archive/register").get_data(as_text=True)
    row = html.split(f'data-archive="{cancelled["archived_as"]}"')[1].split("</tr>")[0]
    assert "Case cancelled, records filed" in row
    client.get("/language/zh_Hant")
    html = client.get("/archive/register").get_data(as_text=True)
    assert "案件已取消，記錄已歸檔" in html and "Case cancelled" not in html


def test_r_6_1_a_case_the_starter_cancels_is_archived_too_and_a_refused_cancel_files_nothing(desk: Casedesk) -> None:
    case = consult_and_apply(desk, "general")
    with pytest.raises(Forbidden):
        desk.runtime.cancel_instance(case.id, actor="sam", reason="not mine")
    assert case.status == "running" and desk.archives.list_register("ann") == []
    cancel(case, actor="ivy", reason="Customer withdrew by phone before applying. 客戶來電撤回。")
    [entry] = desk.archives.list_register("ann")
    assert (entry.archive_class, entry.status) == ("general", "cancelled")


def test_r_6_1_a_case_cancelled_before_its_business_type_has_a_class_is_filed_under_general(desk: Casedesk) -> None:
    case = Case(desk, desk.runtime.start_instance("business_case", {"business_type": "export"}, actor="ivy"))
    cancel(case, reason="Started for a business type we do not do. 非本公司業務。")
    [cancelled] = case.events("instance_cancelled")
    assert cancelled["archived_as"].startswith("DA-ZH-")
    record = desk.archives.register_record(cancelled["archived_as"], "ann")
    assert (record.entry.archive_class, record.entry.status, record.entry.title) == (
        "general", "cancelled", "Cancelled case")
    assert [i.name for i in record.items] == ["cancellation", "consultation"]
