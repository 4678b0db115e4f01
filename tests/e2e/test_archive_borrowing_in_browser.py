"""A borrowing read in a real browser (issue 13 item 7, R-6.4): sam applies for an archive, is refused while
the application waits, the archivist approves it, sam reads the archive, and the archivist finds both
attempts in the access log."""
from __future__ import annotations

from typing import Any

import pytest

from casework.archive_register import open_archive
from engine.bootstrap import bootstrap
from engine.config import Settings
from tests.e2e.conftest import UI, Shots, sign_in, task_title

# The guard's refusal while the application waits, as the page says it in each language.
WAITING = {"en": "still waiting for approval", "zh-Hans": "您的申请仍在等待审批", "zh-Hant": "您的申請仍在等待審批"}


def file_archive(database_url: str, case_number: str) -> str:
    """An archive as the case chain leaves it (R-2.1.3), straight into the served database."""
    app = bootstrap(Settings(database_url=database_url))
    try:
        with app.db.transaction() as conn:
            return open_archive(conn, app.clock.now(), case_number, "sales", f"Order {case_number}",
                                ["application form", "ID copy"], None)
    finally:
        app.close()


def choose(page: Any, name: str, value: str) -> None:
    """A choice field as the form renders it: a select, radio buttons or a text input."""
    field = page.locator(f"[name={name}]").first
    tag = field.evaluate("element => element.tagName.toLowerCase()")
    kind = field.get_attribute("type")
    if tag == "select":
        field.select_option(value)
    elif kind == "radio":
        page.locator(f"[name={name}][value='{value}']").check()
    else:
        field.fill(value)


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant", "en"])
def test_r_6_4_borrower_reads_an_approved_archive_in_the_browser(
        browser: Any, server: str, served_database: str, language: str) -> None:
    ui, shots = UI[language], Shots(f"archive-borrowing-{language}")
    number = file_archive(served_database, f"XS-E2E-{language}")

    sam = sign_in(browser, server, language, "sam")
    sam.goto(f"{server}/start")
    sam.locator("[data-process=archive_borrowing]").get_by_role("button", name=ui["start"]).click()
    sam.wait_for_url("**/tasks/*")
    choose(sam, "archive_number", number)
    sam.locator("[name=purpose]").fill("Annual audit sample")
    sam.locator("[name=days]").fill("7")
    shots.take(sam, "apply")
    sam.get_by_role("button", name=ui["complete"]).click()
    sam.wait_for_load_state()

    refused = sam.goto(f"{server}/archive/read/{number}")
    assert refused is not None and refused.status == 403
    assert WAITING[language] in sam.content()
    shots.take(sam, "refused")

    archivist = sign_in(browser, server, language, "ann")
    row = archivist.locator("tr[data-task]", has_text=task_title(language, "Review the borrowing application")).first
    row.get_by_role("button", name=ui["claim"]).click()
    archivist.wait_for_load_state()
    archivist.locator("tr[data-task]", has_text=task_title(language, "Review the borrowing application")).first.locator("a").first.click()
    archivist.wait_for_url("**/tasks/*")
    choose(archivist, "archivist_decision", "approve")
    shots.take(archivist, "approve")
    archivist.get_by_role("button", name=ui["complete"]).click()
    archivist.wait_for_url("**/inbox")

    sam.goto(f"{server}/archive/borrowings")
    sam.locator(f"tr[data-borrowing='{number}']").get_by_role("link").click()
    sam.wait_for_url(f"**/archive/read/{number}")
    assert sam.locator("tr[data-item]").count() == 2
    assert "ID copy" in sam.locator("table.archive-items").inner_text()
    shots.take(sam, "read")

    archivist.goto(f"{server}/archive/accesses?user=sam&number={number}")
    assert archivist.locator("tr[data-access=refused][data-user=sam]").count() == 1
    assert archivist.locator("tr[data-access=granted][data-user=sam]").count() == 1
    shots.take(archivist, "access-log")
    for page in (sam, archivist):
        page.context.close()
