"""Case numbers (R-2.1.3): prefix by business type, company-local date, gap-free daily sequence —
also under concurrent acceptances and when a step rolls back."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterator

import pytest

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import Settings
from engine.errors import HandlerFailed
from handlers.context import HandlerContext
from handlers.registry import build_registry
from tests.acceptance.case_support import PASSWORD, Case, accept, case_at_prereview
from tests.support.steps import deploy_area
from tests.support.together import all_at_once
from casework.demo_org import seed_demo_org

CONCURRENT = 8


def make_desk(database_url: str, clock: FakeClock, **handlers: Any) -> Casedesk:
    settings = Settings(database_url=database_url)
    return bootstrap(settings, clock=clock, handlers={**build_registry(settings), **handlers})


@pytest.fixture
def desk(database_url: str, clock: FakeClock) -> Iterator[Casedesk]:
    casedesk = make_desk(database_url, clock)
    deploy_area(casedesk, "case")
    seed_demo_org(casedesk.db, clock, PASSWORD)
    yield casedesk
    casedesk.close()


def case_number(case: Case) -> str:
    """The number the case got at acceptance (R-2.1.3)."""
    return str(case.service_results("case_number")[0])


def accept_on(node: Casedesk, case: Case) -> str:
    """`node` accepts the case, as the clerk's request landing on that worker would."""
    return case_number(accept(Case(node, case.view)))


def test_eight_concurrent_acceptances_get_numbers_0001_to_0008(desk: Casedesk, database_url: str,
                                                                clock: FakeClock) -> None:
    cases = [case_at_prereview(desk) for _ in range(CONCURRENT)]
    nodes = [make_desk(database_url, clock) for _ in range(CONCURRENT)]  # one per "gunicorn worker"
    try:
        numbers, errors = all_at_once([lambda node=node, case=case: accept_on(node, case)
                                       for node, case in zip(nodes, cases)])
    finally:
        for node in nodes:
            node.close()
    assert errors == []
    assert sorted(numbers) == [f"XS-20260105-{n:04d}" for n in range(1, CONCURRENT + 1)]


def test_a_rolled_back_acceptance_gives_its_number_back(desk: Casedesk, database_url: str,
                                                         clock: FakeClock) -> None:
    def archive_down(ctx: HandlerContext, **_: Any) -> Any:
        # A refusal (not an outage, which would wait for a retry with the number kept): the step rolls back.
        raise ValueError("archive class closed, unreachable for filing")

    first, second = case_at_prereview(desk), case_at_prereview(desk)
    failing = make_desk(database_url, clock, file_materials=archive_down)
    try:
        with pytest.raises(HandlerFailed, match="unreachable"):
            accept_on(failing, first)
    finally:
        failing.close()
    assert accept_on(desk, second) == "XS-20260105-0001"
    assert accept_on(desk, first) == "XS-20260105-0002"


def test_the_date_is_the_companys_not_utc(desk: Casedesk, clock: FakeClock) -> None:
    case = case_at_prereview(desk, "finance")
    clock.advance(datetime(2026, 1, 5, 16, 0, tzinfo=timezone.utc) - clock.now())  # 00:00 in Shanghai
    assert accept_on(desk, case) == "CW-20260106-0001"


def test_an_unknown_business_type_is_refused(desk: Casedesk) -> None:
    handler = build_registry(Settings())["case_number"]
    ctx = HandlerContext("i", "t", "assign_case_number", "application", datetime(2026, 1, 5, tzinfo=timezone.utc))
    with pytest.raises(ValueError, match="unknown business type 'legal'"):
        handler(ctx, business_type="legal")
