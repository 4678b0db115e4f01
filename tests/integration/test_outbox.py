"""The outbox transport: notices of the case chain kept in the local outbox, in the step's transaction."""
from __future__ import annotations

from typing import Iterator

import pytest

from casework import outbox
from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import Settings
from engine.definitions.service import collect_files
from casework.demo_org import seed_demo_org
from tests.acceptance.case_support import (
    CASE_PROCESSES, CUSTOMER, FORMS, PASSWORD, application_data, consult_and_apply)


@pytest.fixture
def desk(database_url: str, clock: FakeClock) -> Iterator[Casedesk]:
    casedesk = bootstrap(Settings(database_url=database_url, notify_transport="outbox"), clock=clock)
    casedesk.definitions.deploy(collect_files(CASE_PROCESSES, FORMS), "owen")
    seed_demo_org(casedesk.db, clock, PASSWORD)
    yield casedesk
    casedesk.close()


def kept(desk: Casedesk) -> list[outbox.OutboxMessage]:
    with desk.db.unit_of_work(write=False) as session:
        messages = outbox.recent(session)
        session.expunge_all()
        return messages


def test_the_missing_materials_notice_lands_in_the_outbox_and_the_case_goes_on(desk: Casedesk) -> None:
    case = consult_and_apply(desk)
    case.work("ivy", "fill_application", application_data(materials=["application_form"]))
    view = case.work("ivy", "prereview_materials", {"missing_items": ["contract"], "review_remarks": ""})
    assert view.waiting_services == ()
    [notice] = kept(desk)
    assert (notice.channel, notice.recipient, notice.instance_id) == ("email", CUSTOMER["email"], case.id)
    assert "合同 Contract" in notice.message
    [result] = case.service_results("notify_customer")
    assert result["outbox_id"] == notice.id
    assert desk.history.replay(case.id).verified


def test_an_unknown_transport_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="CASEDESK_NOTIFY_TRANSPORT"):
        Settings.from_env({"CASEDESK_NOTIFY_TRANSPORT": "pigeon"})
