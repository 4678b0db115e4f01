"""R-2.3.3 Rectification follow-up: when the problem lies in another department than the one that handled
the case, the rectification goes to that department, and its head verifies (R-2.3.2: "pass it to the
responsible department")."""
from __future__ import annotations

from engine.bootstrap import Casedesk
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    _mail_server, _sms_server, desk, handled_case, mailbox, sms)


def test_r_2_3_3_a_problem_of_another_department_is_rectified_and_verified_there(desk: Casedesk) -> None:
    case = handled_case(desk, "sales")  # handled by Sam (sales)
    case.work("sam", "record_feedback", {"satisfaction": "dissatisfied", "opinion": "Wrong invoice.",
                                         "feedback_problem": "The invoice charges twice. 發票重複收費。",
                                         "rectifying_department": "finance"})
    assert case.inbox("sam") == [] and case.titles("fay") == ["Rectify"]
    assert case.task("fay", "rectify").title == "Rectify"
    case.work("fay", "rectify", {"measures": "Credit note issued."})
    assert case.titles("fay") == ["Report back to the customer"]
    case.work("fay", "inform_customer", {"customer_response": "Received the credit note."})
    assert case.inbox("sue") == []  # not the head of the department that handled the case
    assert case.titles("fred") == ["Verify the rectification"]
    case.work("fred", "verify_rectification", {"solved": True, "verification_note": "Ledger corrected."})
    assert case.status == "completed"
    done = {e["element"]: e for e in case.events("task_done") if e["element"] in ("rectify", "verify_rectification")}
    assert set(done) == {"rectify", "verify_rectification"}
    assert case.final_data()["department"] == "sales"  # the case stays the sales department's
    [records] = [p["params"]["records"] for p in case.events("service_result") if p["operator"] == "file_case_records"]
    assert records["processing"]["department"] == "sales"  # the archive says who handled and who rectified
    assert records["feedback"]["rectified_by"] == "finance"
    assert records["feedback"]["rectification"] == "Credit note issued."


def test_r_2_3_3_the_handling_department_rectifies_its_own_problem(desk: Casedesk) -> None:
    case = handled_case(desk, "procurement")
    case.work("pat", "record_feedback", {"satisfaction": "dissatisfied", "opinion": "",
                                         "feedback_problem": "Goods short by ten units.",
                                         "rectifying_department": "procurement"})
    assert case.titles("pat") == ["Rectify"] and case.inbox("fay") == []
