"""R-6.2 Classification and numbering: every archive is filed in the class of its business type (sales,
procurement, finance, general), each class numbers its archives in a series of its own, the numbers stay
gap-free and unique when clerks on different web workers accept cases at the same instant, and the
archivist lists the register by class."""
from __future__ import annotations

import multiprocessing
from datetime import datetime
from typing import Any

import pytest

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import Settings
from engine.errors import HandlerFailed
from handlers.context import HandlerContext
from handlers.registry import build_registry
from tests.acceptance.case_support import (  # noqa: F401 - fixtures
    PASSWORD, Case, _mail_server, _sms_server, accept, accepted_case, application_data, case_at_prereview,
    consult_and_apply, desk, mailbox, sms)
from tests.acceptance.finance_desk import deploy_finance, figures, monthly_timer
from tests.support.steps import work
from tests.support.together import all_at_once
from web.app import create_app

CONCURRENT = 8
PROCESSES = 4
PREREVIEWED = {"missing_items": [], "review_remarks": ""}


def archive_number(case: Case) -> str:
    """The number the case's archive got at acceptance (R-2.1.3), or when it ended unaccepted."""
    filed = case.service_results("file_materials") or case.service_results("file_unaccepted_case_records")
    return str(filed[0]["archive_number"])


def accepted_on(worker: Casedesk, case: Case) -> str:
    """`worker` accepts the case (R-2.1.3), as the clerk's request landing there would: the archive's number."""
    return archive_number(accept(Case(worker, case.view)))


def node(desk: Casedesk, **handlers: Any) -> Casedesk:
    """Another web worker on the same database: its own connection pool, optionally other handlers."""
    return bootstrap(desk.settings, clock=desk.clock, run_migrations=False,
                     handlers={**build_registry(desk.settings), **handlers})


def test_r_6_2_the_class_follows_the_business_type_and_each_class_numbers_its_own_series(desk: Casedesk) -> None:
    numbers = [archive_number(accepted_case(desk, business_type))
               for business_type in ("sales", "finance", "sales", "procurement", "general", "finance")]
    assert numbers == ["DA-XS-2026-000001", "DA-CW-2026-000001", "DA-XS-2026-000002", "DA-CG-2026-000001",
                       "DA-ZH-2026-000001", "DA-CW-2026-000002"]

    # The application's business type decides, even when the consultation guessed another one.
    case = consult_and_apply(desk, "sales")
    case.work("ivy", "fill_application", application_data("procurement"))
    assert archive_number(accept(case)) == "DA-CG-2026-000002"
    assert str(case.service_results("case_number")[0]).startswith("CG-")

    # A case that ends at the consultation, and the monthly finance review, continue their class's series.
    unaccepted = Case.open(desk)
    unaccepted.work("ivy", "receive_consultation", {
        "customer_name": "李雷 Li Lei", "business_type": "finance", "question": "Invoice copy? 發票副本？",
        "answered_now": True, "answer": "Sent. 已寄出。", "wants_to_apply": False})
    assert archive_number(unaccepted) == "DA-CW-2026-000003"
    deploy_finance(desk)
    monthly_timer(desk, 2)
    work(desk, "fay", "prepare_review", figures())
    review = work(desk, "fred", "review_report", {"review_approved": True, "review_note": ""})
    [filed] = [e.number for e in desk.archives.list_register("ann", archive_class="finance")
               if e.title.startswith("Finance review")]
    assert review.status == "completed" and filed == "DA-CW-2026-000004"

    classes = {e.number: e.archive_class for e in desk.archives.list_register("ann")}
    assert {n: c for n, c in classes.items() if n.startswith("DA-CW-")} == {
        f"DA-CW-2026-{n:06d}": "finance" for n in range(1, 5)}
    assert len(classes) == 9 and all(
        number.split("-")[1] == {"sales": "XS", "procurement": "CG", "finance": "CW", "general": "ZH"}[klass]
        for number, klass in classes.items())


def test_r_6_2_concurrent_acceptances_on_separate_workers_get_gap_free_unique_numbers_per_class(
        desk: Casedesk) -> None:
    types = ["sales", "finance"] * (CONCURRENT // 2)
    cases = [case_at_prereview(desk, business_type) for business_type in types]
    workers = [node(desk) for _ in cases]
    try:
        numbers, errors = all_at_once([lambda worker=worker, case=case: accepted_on(worker, case)
                                       for worker, case in zip(workers, cases)])
    finally:
        for worker in workers:
            worker.close()
    assert errors == []
    half = CONCURRENT // 2
    assert sorted(numbers) == sorted([f"DA-CW-2026-{n:06d}" for n in range(1, half + 1)]
                                     + [f"DA-XS-2026-{n:06d}" for n in range(1, half + 1)])
    register = desk.archives.list_register("ann")
    assert sorted(e.number for e in register) == sorted(numbers)
    assert {e.case_number for e in register} == {str(c.service_results("case_number")[0])
                                                 for c in (Case(desk, c.view) for c in cases)}


def accept_in_own_process(settings: Settings, now: str, task_id: str, barrier: Any, outcomes: Any) -> None:
    """Child process body: a server process of its own, released with the others, accepts one case."""
    try:
        server = bootstrap(settings, clock=FakeClock(datetime.fromisoformat(now)), run_migrations=False)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        barrier.abort()
        outcomes.put(f"bootstrap {type(exc).__name__}: {exc}")
        return
    try:
        barrier.wait(timeout=60)
        server.runtime.complete_task(task_id, PREREVIEWED, actor="ivy")
        outcomes.put("ok")
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        outcomes.put(f"{type(exc).__name__}: {exc}")
    finally:
        server.close()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_r_6_2_four_server_processes_accepting_at_once_on_postgresql_number_each_class_without_gaps(
        desk: Casedesk, database_url: str) -> None:
    cases = [case_at_prereview(desk, business_type) for business_type in ["sales", "procurement"] * (PROCESSES // 2)]
    task_ids = [case.task("ivy", "prereview_materials").id for case in cases]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    outcomes = context.Queue()
    servers = [context.Process(target=accept_in_own_process,
                               args=(desk.settings, desk.clock.now().isoformat(), task_id, barrier, outcomes))
               for task_id in task_ids]
    for server in servers:
        server.start()
    try:
        reports = [outcomes.get(timeout=180) for _ in servers]
    finally:
        for server in servers:
            server.join(timeout=60)
            if server.is_alive():
                server.kill()
    assert reports == ["ok"] * PROCESSES
    numbers = sorted(archive_number(Case(desk, case.view)) for case in cases)
    assert numbers == [f"DA-CG-2026-{n:06d}" for n in range(1, 3)] + [f"DA-XS-2026-{n:06d}" for n in range(1, 3)]
    assert sorted(e.number for e in desk.archives.list_register("ann")) == numbers


def test_r_6_2_an_acceptance_that_rolls_back_gives_its_archive_number_back(desk: Casedesk) -> None:
    real = build_registry(desk.settings)["file_materials"]

    def files_then_fails(ctx: HandlerContext, **params: Any) -> Any:
        real(ctx, **params)  # the number is taken ...
        raise ValueError("the archive room refused the materials")  # ... and the step rolls back

    first, second = case_at_prereview(desk, "sales"), case_at_prereview(desk, "sales")
    failing = node(desk, file_materials=files_then_fails)
    try:
        with pytest.raises(HandlerFailed, match="refused the materials"):
            accepted_on(failing, first)
    finally:
        failing.close()
    assert desk.archives.list_register("ann") == []
    assert accepted_on(desk, second) == "DA-XS-2026-000001"
    assert accepted_on(desk, first) == "DA-XS-2026-000002"


def test_r_6_2_the_archivist_lists_the_register_by_class_in_their_language(desk: Casedesk) -> None:
    for business_type in ("sales", "finance", "procurement"):
        accepted_case(desk, business_type)
    web = create_app({"TESTING": True, "CASEDESK": desk, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False})
    client = web.test_client()
    assert client.post("/login", data={"username": "ann", "password": PASSWORD}).status_code == 302

    def rows(query: str) -> list[str]:
        html = client.get(f"/archive/register{query}").get_data(as_text=True)
        return [part.split('"')[0] for part in html.split('data-archive="')[1:]]

    assert rows("") == ["DA-CG-2026-000001", "DA-CW-2026-000001", "DA-XS-2026-000001"]
    assert rows("?class=finance") == ["DA-CW-2026-000001"]
    assert rows("?class=sales") == ["DA-XS-2026-000001"]
    assert rows("?class=general") == []
    assert client.get("/archive/register?class=marketing").status_code == 422
    client.get("/language/zh_Hant")
    html = client.get("/archive/register?class=procurement").get_data(as_text=True)
    assert "採購檔案" in html and "DA-CG-2026-000001" in html and "DA-XS-2026-000001" not in html
