"""The archive in the browser (issue 13 item 7, R-6.4): borrowers read through the guard, every attempt
logged; archivists and auditors have the register, the loans and the access log — never the content."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Casedesk
from tests.acceptance.archive_desk import PASSWORD, ArchiveDesk


@pytest.fixture
def desk(app: Casedesk, web: Flask) -> ArchiveDesk:
    desk = ArchiveDesk.set_up(app)
    app.users.add_user("audrey", PASSWORD, ["auditor"])
    return desk


def sign_in(web: Flask, username: str) -> FlaskClient:
    client = web.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_r_6_4_an_approved_borrower_reads_the_archive_in_the_browser_and_the_read_is_logged(
        app: Casedesk, web: Flask, desk: ArchiveDesk) -> None:
    number = desk.file("XS-20260105-0001")
    borrowing = desk.apply("sam", number)
    desk.approve(borrowing)
    sam = sign_in(web, "sam")

    mine = page(sam, "/archive/borrowings")
    assert f'href="/archive/read/{number}"' in mine
    content = page(sam, f"/archive/read/{number}")
    assert "application form" in content and "ID copy" in content and "Case XS-20260105-0001" in content

    [attempt] = app.archives.accesses(number, "ada")
    assert (attempt.username, attempt.outcome, attempt.borrowing_id) == ("sam", "granted", borrowing)


@pytest.mark.parametrize("reader", ["cara", "ada", "audrey"])
def test_r_6_4_without_a_borrowing_the_read_is_refused_with_a_403_page_and_logged(
        app: Casedesk, web: Flask, desk: ArchiveDesk, reader: str) -> None:
    number = desk.file("XS-20260105-0001")
    desk.approve(desk.apply("sam", number))
    refused = page(sign_in(web, reader), f"/archive/read/{number}", 403)
    assert f"You have no approved borrowing of archive {number}" in refused
    assert "application form" not in refused
    [attempt] = app.archives.accesses(number, "ada")
    assert (attempt.username, attempt.outcome) == (reader, "refused")


def test_r_6_4_refusals_say_why_in_the_page_language_and_json_clients_get_the_error_shape(
        app: Casedesk, web: Flask, desk: ArchiveDesk) -> None:
    number = desk.file("XS-20260105-0001")
    borrowing = desk.apply("sam", number)
    sam = sign_in(web, "sam")
    assert "still waiting for approval" in page(sam, f"/archive/read/{number}", 403)
    desk.approve(borrowing)
    app.clock.advance(timedelta(days=8))  # seven days asked for: expired
    assert "your borrowing has expired" in page(sam, f"/archive/read/{number}", 403)
    assert f'href="/archive/read/{number}"' not in page(sam, "/archive/borrowings")
    answer = sam.get(f"/archive/read/{number}", headers={"Accept": "application/json"})
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "forbidden"
    sam.get("/language/zh_Hans")
    in_chinese = page(sam, f"/archive/read/{number}", 403)
    assert f"您不能阅读档案 {number}：您的借阅已过期" in in_chinese and "expired" not in in_chinese
    sam.get("/language/zh_Hant")
    assert f"您不能閱讀檔案 {number}：您的借閱已過期" in page(sam, f"/archive/read/{number}", 403)
    outcomes = [a.outcome for a in app.archives.accesses(number, "ada")]
    assert outcomes == ["refused"] * 5


def test_r_6_4_an_unknown_number_is_refused_like_any_other_and_still_logged(
        app: Casedesk, web: Flask, desk: ArchiveDesk) -> None:
    refused = page(sign_in(web, "sam"), "/archive/read/DA-XS-2026-000099", 403)
    assert "You have no approved borrowing of archive DA-XS-2026-000099" in refused
    [attempt] = app.archives.accesses("DA-XS-2026-000099", "ada")
    assert attempt.outcome == "refused"


def test_the_archivist_searches_the_register_and_sees_a_record_without_its_content(
        app: Casedesk, web: Flask, desk: ArchiveDesk) -> None:
    sales = desk.file("XS-20260105-0001")
    finance = desk.file("CW-20260105-0002", "finance")
    desk.approve(desk.apply("sam", sales))
    ada = sign_in(web, "ada")

    everything = page(ada, "/archive/register")
    assert sales in everything and finance in everything
    only_finance = page(ada, "/archive/register?class=finance")
    assert finance in only_finance and sales not in only_finance
    by_case = page(ada, "/archive/register?q=xs-2026")
    assert sales in by_case and finance not in by_case
    assert "No archive matches." in page(ada, "/archive/register?q=100%25_")
    page(ada, "/archive/register?class=secret", 422)

    record = page(ada, f"/archive/register/{sales}")
    assert "application form" in record and "sam" in record
    assert "annual audit sample" in record  # the loan's purpose
    assert '"material"' not in record and "filed-value" not in record  # names, never the content
    page(ada, "/archive/register/DA-XS-2026-000099", 404)
    ada.get("/language/zh_Hans")
    missing = page(ada, "/archive/register/DA-XS-2026-000099", 404)
    assert "没有档案 DA-XS-2026-000099" in missing and "no archive" not in missing
    ada.get("/language/zh_Hant")
    assert "沒有檔案 DA-XS-2026-000099" in page(ada, "/archive/register/DA-XS-2026-000099", 404)


def test_the_archivist_follows_loans_open_overdue_and_returned(
        app: Casedesk, web: Flask, desk: ArchiveDesk) -> None:
    early, late, given_back = (desk.file(f"XS-20260105-000{i}") for i in (1, 2, 3))
    desk.approve(desk.apply("sam", early, days=2))
    desk.approve(desk.apply("sam", late, days=20))
    returned = desk.apply("cara", given_back)
    desk.approve(returned)
    desk.complete(returned, "return_archive", "cara", {"returned": True})
    app.clock.advance(timedelta(days=3))
    ada = sign_in(web, "ada")

    def listed(state: str) -> set[str]:
        text = page(ada, f"/archive/loans?state={state}")
        return {n for n in (early, late, given_back) if f'data-loan="{n}"' in text}

    assert listed("open") == {late}
    assert listed("overdue") == {early}
    assert listed("returned") == {given_back}
    assert listed("pending") == set()
    page(ada, "/archive/loans?state=lost", 422)


def test_the_access_log_filters_by_user_archive_and_period(app: Casedesk, web: Flask, desk: ArchiveDesk) -> None:
    first, second = desk.file("XS-20260105-0001"), desk.file("XS-20260105-0002")
    desk.approve(desk.apply("sam", first))
    sam, cara = sign_in(web, "sam"), sign_in(web, "cara")
    page(sam, f"/archive/read/{first}")
    page(cara, f"/archive/read/{second}", 403)
    app.clock.advance(timedelta(days=2))
    page(sam, f"/archive/read/{second}", 403)
    audrey = sign_in(web, "audrey")

    def rows(query: str) -> list[tuple[str, str]]:
        text = page(audrey, f"/archive/accesses{query}")
        return [(user, outcome) for user, outcome in (("sam", "granted"), ("sam", "refused"), ("cara", "refused"))
                if f'data-access="{outcome}" data-user="{user}"' in text]

    assert rows("") == [("sam", "granted"), ("sam", "refused"), ("cara", "refused")]
    assert rows("?user=cara") == [("cara", "refused")]
    assert rows(f"?number={first}") == [("sam", "granted")]
    today = app.clock.now().date().isoformat()
    assert rows(f"?since={today}") == [("sam", "refused")]
    assert rows(f"?until={(app.clock.now() - timedelta(days=1)).date().isoformat()}") == [
        ("sam", "granted"), ("cara", "refused")]
    page(audrey, "/archive/accesses?since=yesterday", 422)
    page(audrey, f"/archive/accesses?since={today}&until=2000-01-01", 422)


@pytest.mark.parametrize("url", ["/archive/register", "/archive/register/DA-XS-2026-000001", "/archive/loans",
                                 "/archive/accesses"])
def test_only_archivists_and_auditors_see_register_pages(web: Flask, desk: ArchiveDesk, url: str) -> None:
    desk.file("XS-20260105-0001")
    for reader in ("ada", "audrey"):
        page(sign_in(web, reader), url, 200)
    for other in ("sam", "cara", "fiona"):
        page(sign_in(web, other), url, 403)
    assert "/login" in (web.test_client().get(url).location or "")


def test_navigation_shows_each_role_its_archive_entries(web: Flask, desk: ArchiveDesk) -> None:
    staff_nav = page(sign_in(web, "sam"), "/inbox")
    assert 'href="/archive/borrowings"' in staff_nav and 'href="/archive/register"' not in staff_nav
    auditor_nav = page(sign_in(web, "audrey"), "/inbox")
    assert 'href="/archive/register"' in auditor_nav and 'href="/archive/borrowings"' not in auditor_nav
    assert 'href="/archive/register"' in page(sign_in(web, "ada"), "/inbox")
