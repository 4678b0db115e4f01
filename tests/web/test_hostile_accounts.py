"""Accounts: sign-in throttling and lockout, sessions and tokens that really end, deactivation (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from engine.bootstrap import Casedesk
from engine.clock import FakeClock
from engine import users
from engine.throttle import ADDRESS_FAILURES, LOCKOUT, USER_FAILURES
from tests.conftest import PASSWORD
from tests.web.conftest import LoginAs


def token_of(web: Flask, username: str, address: str = "10.0.0.1") -> str:
    response = web.test_client().post("/api/v1/auth/tokens", json={"username": username, "password": PASSWORD},
                                      environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_repeated_wrong_passwords_lock_the_user_name_with_a_clear_message(web: Flask, clock: FakeClock) -> None:
    client = web.test_client()
    for _ in range(USER_FAILURES):
        assert client.post("/login", data={"username": "u_clerk", "password": "wrong-pass"}).status_code == 401
    locked = client.post("/login", data={"username": "u_clerk", "password": PASSWORD})
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.get_data(as_text=True)
    assert int(locked.headers["Retry-After"]) > 0
    api = client.post("/api/v1/auth/tokens", json={"username": "u_clerk", "password": PASSWORD})
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "too_many_attempts"
    clock.advance(LOCKOUT + timedelta(seconds=1))
    assert client.post("/login", data={"username": "u_clerk", "password": PASSWORD}).status_code == 302


def test_many_names_tried_from_one_address_lock_the_address(web: Flask) -> None:
    client = web.test_client()
    for i in range(ADDRESS_FAILURES):
        response = client.post("/api/v1/auth/tokens", json={"username": f"guess{i}", "password": "wrong-pass"},
                               environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert response.status_code == 401
    blocked = client.post("/api/v1/auth/tokens", json={"username": "u_clerk", "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert blocked.status_code == 429
    assert token_of(web, "u_clerk", address="192.0.2.8")  # another address is not affected


def test_an_unknown_user_name_costs_as_long_as_a_wrong_password(web: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    # Counted, not timed (a timing assertion fails on a busy machine): both pay one scrypt at the same cost.
    costs: list[list[str]] = []
    real_check = users.check_password

    def counting_check(stored: str, password: str) -> bool:
        costs.append(stored.split("$")[1:4])
        return real_check(stored, password)

    monkeypatch.setattr(users, "check_password", counting_check)
    client = web.test_client()
    for username, address in (("u_clerk", "198.51.100.1"), ("nobody", "198.51.100.2")):
        response = client.post("/api/v1/auth/tokens", json={"username": username, "password": "wrong-pass"},
                               environ_base={"REMOTE_ADDR": address})
        assert response.status_code == 401
    assert len(costs) == 2 and costs[0] == costs[1]


def test_a_session_cookie_copied_before_sign_out_no_longer_works(web: Flask, login_as: LoginAs) -> None:
    client = login_as("clerk")
    copied = web.test_client()
    copied.set_cookie("session", client.get_cookie("session").value)  # type: ignore[union-attr]
    assert copied.get("/inbox").status_code == 200
    assert client.post("/logout").status_code == 302
    assert copied.get("/inbox").status_code == 302  # back to the sign-in page


def test_sign_out_revokes_the_users_api_tokens(web: Flask, login_as: LoginAs) -> None:
    token = token_of(web, "u_clerk")
    client = login_as("clerk")
    assert web.test_client().get("/api/v1/tasks", headers=bearer(token)).status_code == 200
    client.post("/logout")
    assert web.test_client().get("/api/v1/tasks", headers=bearer(token)).status_code == 401


def test_a_new_password_ends_every_session_and_token(app: Casedesk, web: Flask, login_as: LoginAs) -> None:
    token = token_of(web, "u_clerk")
    client = login_as("clerk")
    app.users.set_password("u_clerk", "another-secret-9")
    assert client.get("/inbox").status_code == 302
    assert web.test_client().get("/api/v1/tasks", headers=bearer(token)).status_code == 401


def test_tokens_are_listed_and_revoked_by_their_owner_or_an_admin(web: Flask) -> None:
    first, second = token_of(web, "u_clerk"), token_of(web, "u_clerk")
    client = web.test_client()
    listed = client.get("/api/v1/auth/tokens", headers=bearer(first)).get_json()
    assert len(listed) == 2 and {"id", "created_at", "expires_at", "username"} <= set(listed[0])
    assert "token" not in listed[0]
    outsider = token_of(web, "u_outsider")
    assert client.delete(f"/api/v1/auth/tokens/{listed[1]['id']}", headers=bearer(outsider)).status_code == 404
    assert client.get("/api/v1/auth/tokens?user=u_clerk", headers=bearer(outsider)).status_code == 403
    assert client.delete(f"/api/v1/auth/tokens/{listed[1]['id']}", headers=bearer(first)).status_code == 204
    assert client.get("/api/v1/tasks", headers=bearer(second)).status_code == 401
    admin = token_of(web, "u_admin")
    assert [t["id"] for t in client.get("/api/v1/auth/tokens?user=u_clerk", headers=bearer(admin)).get_json()] \
        == [listed[0]["id"]]
    assert client.delete(f"/api/v1/auth/tokens/{listed[0]['id']}", headers=bearer(admin)).status_code == 204
    assert client.get("/api/v1/tasks", headers=bearer(first)).status_code == 401


def test_a_deactivated_user_is_signed_out_loses_tokens_and_cannot_sign_in(web: Flask, login_as: LoginAs) -> None:
    token = token_of(web, "u_clerk")
    session = login_as("clerk")
    admin = token_of(web, "u_admin")
    client = web.test_client()
    assert client.post("/api/v1/users/u_clerk/deactivate", headers=bearer(token)).status_code == 403
    answer = client.post("/api/v1/users/u_clerk/deactivate", headers=bearer(admin))
    assert answer.status_code == 200 and answer.get_json() == {"username": "u_clerk", "active": False}
    assert session.get("/inbox").status_code == 302
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 401
    assert client.post("/login", data={"username": "u_clerk", "password": PASSWORD}).status_code == 401
    assert client.post("/api/v1/users/u_clerk/activate", headers=bearer(admin)).status_code == 200
    assert client.post("/login", data={"username": "u_clerk", "password": PASSWORD}).status_code == 302


def test_deactivating_an_unknown_user_is_404(web: Flask) -> None:
    response = web.test_client().post("/api/v1/users/nobody/deactivate", headers=bearer(token_of(web, "u_admin")))
    assert response.status_code == 404


def test_the_lockout_message_is_in_the_users_language(web: Flask) -> None:
    client = web.test_client()
    for _ in range(USER_FAILURES):
        client.post("/login", data={"username": "u_reviewer", "password": "wrong-pass"})
    locked = client.post("/login", data={"username": "u_reviewer", "password": PASSWORD},
                         headers={"Accept-Language": "zh-CN"})
    assert locked.status_code == 429 and "登录失败次数过多" in locked.get_data(as_text=True)
