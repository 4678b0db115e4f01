"""R-4.2 Quality supervision and inspection (質量監督檢查): periodic self-check, peer check and superior check
of sampled finished cases; each problem recorded with its cause and corrective measure and followed to closure."""
from __future__ import annotations

import pytest

from engine.bootstrap import Casedesk
from engine.errors import HandlerFailed, InvalidInput
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    _mail_server, _sms_server, desk, mailbox, sms)
from tests.acceptance.quality_support import (  # noqa: F401 - fixtures
    PEER_CHECK, SELF_CHECK, SUPERIOR_CHECK, findings_register, finished_case, fire, quality_desk, tasks_of, work)

NO_PROBLEMS = {"inspection_notes": "Checked intake, handling and feedback of every case. 逐案檢查。",
               "problems_found": False}


def finding(case_number: str, another: bool, person: str = "fay", problem: str = "Voucher missing. 缺少憑證。") -> dict:
    return {"finding_case": case_number, "finding_person": person, "finding_problem": problem,
            "finding_cause": "No checklist at intake. 受理時未用清單。",
            "corrective_measure": "Use the voucher checklist. 使用憑證清單。", "another_finding": another}


def test_r_4_2_1_self_check_each_month_has_every_department_inspect_its_own_finished_cases(
        quality_desk: Casedesk) -> None:
    sales = [finished_case(quality_desk, "sales") for _ in range(2)]
    finished_case(quality_desk, "finance")
    check = fire(quality_desk, SELF_CHECK, "quality_self_check")

    [inspection] = tasks_of(quality_desk, check, "sam", "inspect_sample")
    assert inspection.candidate_group == "sales" and inspection.due_at is not None
    numbers = sorted(str(case.service_results("case_number")[0]) for case in sales)
    assert all(number in (inspection.instructions or "") for number in numbers)
    assert tasks_of(quality_desk, check, "fay", "inspect_sample")  # finance checks its own case
    # Nothing finished in procurement or general: nothing to inspect there.
    assert tasks_of(quality_desk, check, "pat", "inspect_sample") == []
    assert tasks_of(quality_desk, check, "gus", "inspect_sample") == []
    work(quality_desk, inspection, "sam", NO_PROBLEMS)
    assert quality_desk.runtime.get_instance(check).status == "running"  # finance has not reported yet


def test_r_4_2_2_findings_are_recorded_with_cause_and_measure_and_followed_until_verified(
        quality_desk: Casedesk) -> None:
    finance = finished_case(quality_desk, "finance")
    number = str(finance.service_results("case_number")[0])
    check = fire(quality_desk, SELF_CHECK, "quality_self_check")
    [inspection] = tasks_of(quality_desk, check, "fay", "inspect_sample")
    work(quality_desk, inspection, "fay", {"inspection_notes": "Voucher missing.", "problems_found": True})

    [record] = tasks_of(quality_desk, check, "fay", "record_finding")
    with pytest.raises(HandlerFailed, match="not sampled"):  # only a sampled case can have a finding
        work(quality_desk, record, "fay", finding("XS-20990101-0001", another=False))
    with pytest.raises(HandlerFailed, match="no user named"):
        work(quality_desk, record, "fay", finding(number, another=False, person="nobody"))
    assert findings_register(quality_desk) == []  # a refused finding stores nothing
    work(quality_desk, record, "fay", finding(number, another=True))
    [record] = tasks_of(quality_desk, check, "fay", "record_finding")
    work(quality_desk, record, "fay", finding(number, another=False, problem="Late payment. 付款延誤。"))

    register = findings_register(quality_desk)
    assert [(f.department, f.person, f.check_kind, f.status, f.case_number) for f in register] == [
        ("finance", "fay", "self", "open", number)] * 2
    assert [f.cause for f in register] == ["No checklist at intake. 受理時未用清單。"] * 2

    measures = tasks_of(quality_desk, check, "fay", "carry_out_measure")
    assert len(measures) == 2  # both findings are followed at once
    for task in measures:
        work(quality_desk, task, "fay", {"measure_taken": "Checklist introduced. 已引入清單。"})
    first, second = tasks_of(quality_desk, check, "quinn", "verify_measure")
    with pytest.raises(InvalidInput) as refused:  # sending a measure back needs a note saying why
        work(quality_desk, first, "quinn", {"measure_effective": "not_effective", "verification_note": ""})
    assert "verification_note" in refused.value.field_errors
    work(quality_desk, first, "quinn", {"measure_effective": "not_effective",
                                        "verification_note": "Checklist not used yet. 清單未使用。"})
    work(quality_desk, second, "quinn", {"measure_effective": "effective", "verification_note": ""})
    assert sorted(f.status for f in findings_register(quality_desk)) == ["closed", "open"]

    [again] = tasks_of(quality_desk, check, "fay", "carry_out_measure")  # back to the department
    assert "Cause: No checklist at intake." in (again.instructions or "")  # the finding, with why it went back
    assert "Checklist not used yet. 清單未使用。" in (again.instructions or "")
    work(quality_desk, again, "fay", {"measure_taken": "Checklist now signed per case. 每案簽署清單。"})
    [verify] = tasks_of(quality_desk, check, "quinn", "verify_measure")
    work(quality_desk, verify, "quinn", {"measure_effective": "effective", "verification_note": "Seen in use."})

    assert [f.status for f in findings_register(quality_desk)] == ["closed", "closed"]
    assert quality_desk.runtime.get_instance(check).status == "completed"


def test_r_4_2_1_peer_check_goes_to_the_next_department_and_superior_check_to_the_head(
        quality_desk: Casedesk) -> None:
    finished_case(quality_desk, "sales")
    peer = fire(quality_desk, PEER_CHECK, "quality_peer_check")
    assert tasks_of(quality_desk, peer, "sam", "inspect_sample") == []
    [by_peer] = tasks_of(quality_desk, peer, "pat", "inspect_sample")  # procurement checks sales
    work(quality_desk, by_peer, "pat", NO_PROBLEMS)
    assert quality_desk.runtime.get_instance(peer).status == "completed"

    superior = fire(quality_desk, SUPERIOR_CHECK, "quality_superior_check")
    [by_head] = tasks_of(quality_desk, superior, "sue", "inspect_sample")
    assert by_head.candidate_group == "sales_head"
    work(quality_desk, by_head, "sue", NO_PROBLEMS)
    assert quality_desk.runtime.get_instance(superior).status == "completed"
