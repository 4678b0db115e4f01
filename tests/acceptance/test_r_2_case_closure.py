"""R-2 end to end: a closed case's records join its archive (R-6.1)."""
from __future__ import annotations

from engine.bootstrap import Casedesk
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    FULL_MATERIALS, _mail_server, _sms_server, desk, handled_case, mailbox, sms)


def test_r_6_1_closed_case_records_are_filed_in_the_case_archive(desk: Casedesk) -> None:
    case = handled_case(desk, "procurement")
    case.work("pat", "record_feedback", {"satisfaction": "satisfied", "opinion": "Fine."})
    assert case.status == "completed"

    number = case.service_results("case_number")[0]
    filing = case.service_results("file_case_records")[0]
    assert filing["archive_number"] == case.service_results("file_materials")[0]["archive_number"]
    assert filing["items"] == 3  # application, processing and feedback records
    entry = next(e for e in desk.archives.list_register("ann") if e.case_number == number)
    assert (entry.status, entry.items) == ("complete", len(FULL_MATERIALS) + 3)
    records = next(p["params"]["records"] for p in case.events("service_result")
                   if p["operator"] == "file_case_records")
    assert records["application"]["case_number"] == number
    assert records["processing"]["department"] == "procurement"
    assert records["processing"]["result"] == "Contract signed. 合同已簽訂。"
    assert records["feedback"] == {"channel": "email", "satisfaction": "satisfied", "opinion": "Fine.",
                                   "rectification": None, "rectified_by": None}
