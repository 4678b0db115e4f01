"""Issue #12: sign-in throttling per address behind a reverse proxy (CASEDESK_TRUSTED_PROXIES) and without one."""
from __future__ import annotations

import pytest
from flask import Flask

from engine.bootstrap import Casedesk
from engine.config import Settings
from engine.throttle import ADDRESS_FAILURES
from tests.conftest import PASSWORD
from web.app import create_app

TOKENS = "/api/v1/auth/tokens"


def sign_in(web: Flask, username: str, password: str, remote: str, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    response = web.test_client().post(TOKENS, json={"username": username, "password": password},
                                      headers=headers, environ_base={"REMOTE_ADDR": remote})
    return response.status_code


def behind_proxies(app: Casedesk, count: int) -> Flask:
    return create_app({"TESTING": True, "CASEDESK": app, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                       "CASEDESK_SETTINGS": Settings(database_url=app.settings.database_url,
                                                     trusted_proxies=count)})


def test_without_a_trusted_proxy_a_forged_forwarded_for_cannot_dodge_the_address_lockout(
        app: Casedesk, web: Flask) -> None:
    for i in range(ADDRESS_FAILURES):
        assert sign_in(web, f"guess{i}", "wrong-pass", "192.0.2.7", forwarded=f"203.0.113.{i}") == 401
    assert sign_in(web, "u_clerk", PASSWORD, "192.0.2.7", forwarded="198.51.100.99") == 429
    assert sign_in(web, "u_clerk", PASSWORD, "192.0.2.8") == 201  # another real address is not affected


def test_behind_a_trusted_proxy_the_lockout_follows_the_client_address_it_forwards(app: Casedesk, web: Flask) -> None:
    proxied = behind_proxies(app, 1)
    for i in range(ADDRESS_FAILURES):
        assert sign_in(proxied, f"guess{i}", "wrong-pass", "10.0.0.1", forwarded="198.51.100.1") == 401
    assert sign_in(proxied, "u_clerk", PASSWORD, "10.0.0.1", forwarded="198.51.100.1") == 429
    # What the client itself wrote comes before what the proxy appended, and is not believed.
    assert sign_in(proxied, "u_clerk", PASSWORD, "10.0.0.1", forwarded="198.51.100.2, 198.51.100.1") == 429
    # Another client through the same proxy is not locked out with the first.
    assert sign_in(proxied, "u_clerk", PASSWORD, "10.0.0.1", forwarded="198.51.100.2") == 201


@pytest.mark.parametrize("value", ["-1", "yes", "11"])
def test_a_trusted_proxy_count_that_is_not_a_small_number_is_refused_at_start(value: str) -> None:
    with pytest.raises(ValueError, match="CASEDESK_TRUSTED_PROXIES"):
        Settings.from_env({"CASEDESK_TRUSTED_PROXIES": value})


def test_the_trusted_proxy_count_is_read_from_the_environment() -> None:
    assert Settings.from_env({"CASEDESK_TRUSTED_PROXIES": "2"}).trusted_proxies == 2
    assert Settings.from_env({}).trusted_proxies == 0
