"""In a real browser against `casedesk serve` with two gunicorn workers and no CASEDESK_SECRET_KEY:
a sign-in holds for twenty pages, whichever worker answers each one."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from tests.e2e.conftest import Shots, sign_in
from tests.support.served import Served, served_casedesk

PASSWORD = "browser-serve-1"
PAGES = ["/inbox", "/start", "/instances", "/inbox", "/instances?status=running"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Served]:
    with served_casedesk(tmp_path_factory.mktemp("serve-browser"), PASSWORD, web_workers=2) as running:
        yield running


def test_a_sign_in_holds_for_twenty_pages_across_two_workers(browser: Any, served: Served) -> None:
    shots = Shots("sessions-two-workers")
    page = sign_in(browser, served.base_url, "en", "sam", PASSWORD)
    page.wait_for_url("**/inbox")
    for number in range(20):
        path = PAGES[number % len(PAGES)]
        response = page.goto(f"{served.base_url}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        assert "/login" not in page.url, f"page {number + 1} ({path}) bounced to the sign-in page"
        assert "CSRF" not in page.content()
    shots.take(page, "twentieth-page")
    page.context.close()
