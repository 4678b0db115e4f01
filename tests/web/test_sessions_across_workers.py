"""Sign-ins hold across gunicorn workers when CASEDESK_SECRET_KEY is unset: one key, generated once under var/."""
from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Iterator

import pytest
import requests

from tests.support.served import Served, served_casedesk

PASSWORD = "serve-password-1"
PAGES = ["/inbox", "/start", "/instances", "/inbox?scope=groups", "/instances?status=running"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served_casedesk(tmp_path_factory.mktemp("serve"), PASSWORD, web_workers=2) as running:
        yield running


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, form.text[:300]
    response = session.post(f"{base}/login", timeout=10, data={
        "csrf_token": token.group(1), "username": username, "password": PASSWORD, "timezone": "Asia/Shanghai"})
    assert response.status_code == 200 and not response.url.startswith(f"{base}/login"), response.text[:500]
    return session


def test_every_sign_in_succeeds_whichever_worker_answers(served: Served) -> None:
    for attempt in range(12):
        session = sign_in(served.base_url, "ivy")
        assert "CSRF" not in session.get(f"{served.base_url}/inbox", timeout=10).text, attempt


def test_twenty_pages_load_without_bouncing_to_the_login(served: Served) -> None:
    session = sign_in(served.base_url, "sam")
    for number in range(20):
        path = PAGES[number % len(PAGES)]
        response = session.get(f"{served.base_url}{path}", timeout=10)
        assert response.status_code == 200, (path, response.status_code)
        assert "/login" not in response.url, f"page {number + 1} ({path}) bounced to the sign-in page"


def test_the_generated_key_is_kept_under_var_readable_by_its_owner_only(served: Served) -> None:
    mode = stat.S_IMODE(served.secret_key_file.stat().st_mode)
    assert mode == 0o600
    assert len(served.secret_key_file.read_text().strip()) == 64
    assert Path(served.secret_key_file).parent.name == "var"
