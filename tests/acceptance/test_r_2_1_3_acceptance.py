"""R-2.1.3 Acceptance (申請受理): a case number by the numbering rule; the application materials filed."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine.models import ProcessInstance
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    FULL_MATERIALS, Case, _mail_server, _sms_server, accepted_case, desk, mailbox, sms)


def business_key(desk: Casedesk, case: Case) -> str | None:
    with desk.db.unit_of_work(write=False) as session:
        return session.scalar(select(ProcessInstance.business_key).where(ProcessInstance.id == case.id))


def test_r_2_1_3_accepted_application_gets_a_case_number_and_its_materials_filed(
        desk: Casedesk, clock: FakeClock) -> None:
    case = accepted_case(desk, "sales")  # the fake clock: 5 January 2026, 09:00 UTC = 17:00 in Shanghai
    number = case.service_results("case_number")[0]
    assert number == "XS-20260105-0001"
    assert business_key(desk, case) == number  # the instance is found by its case number

    filing = case.service_results("file_materials")[0]
    entry = next(e for e in desk.archives.list_register("ann") if e.case_number == number)
    assert entry.number == filing["archive_number"]
    assert (entry.archive_class, entry.status, entry.items) == ("sales", "open", len(FULL_MATERIALS))
    assert entry.title == "Order 500 units 訂購500件"


def test_r_2_1_3_case_numbers_run_per_business_type_and_company_day(desk: Casedesk, clock: FakeClock) -> None:
    # 15:30 UTC on 5 January is 23:30 in Shanghai; an hour later the company's day has changed.
    clock.advance(datetime(2026, 1, 5, 15, 30, tzinfo=timezone.utc) - clock.now())
    numbers = [accepted_case(desk, kind).service_results("case_number")[0]
               for kind in ("sales", "finance", "sales", "procurement", "general")]
    assert numbers == ["XS-20260105-0001", "CW-20260105-0001", "XS-20260105-0002",
                       "CG-20260105-0001", "ZH-20260105-0001"]
    clock.advance(datetime(2026, 1, 5, 16, 30, tzinfo=timezone.utc) - clock.now())
    assert accepted_case(desk, "sales").service_results("case_number")[0] == "XS-20260106-0001"
