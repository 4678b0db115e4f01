"""`casedesk demo-org`: the demo organisation of HELPERS.md, created idempotently and printed."""
from __future__ import annotations

import pytest

from engine import config
from engine.bootstrap import Casedesk
from engine.errors import NotFound
from casework.demo_org import DEMO_USERS
from cli.main import main

PASSWORD = "demo-pass-2026"
STAFF_GROUPS = {"intake", "sales", "procurement", "finance", "general", "sales_head", "procurement_head",
                "finance_head", "general_head", "tracker", "archivist"}


def test_demo_org_creates_a_user_for_every_group_and_is_idempotent(
        app: Casedesk, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CASEDESK_DATABASE_URL", database_url)
    assert main(["demo-org", "--password", PASSWORD]) == 0
    first = capsys.readouterr().out
    assert main(["demo-org", "--password", PASSWORD]) == 0
    assert capsys.readouterr().out == first  # same users, same groups, nothing duplicated

    assert f"password {PASSWORD}" in first
    for user in DEMO_USERS:
        assert f"  {user.name} " in first
    groups = {user.name: app.users.groups(user.name) for user in DEMO_USERS}
    assert STAFF_GROUPS | {"admin", "process_owner", "auditor"} <= set().union(*groups.values())
    assert groups["ivy"] == {"intake", "staff"}
    assert groups["sue"] == {"sales_head", "staff"}
    assert groups["audrey"] == {"auditor"} and groups["root"] == {"admin"}  # roles are not staff
    assert all("staff" in g for g in groups.values() if g & STAFF_GROUPS)
    assert app.users.authenticate("tom", PASSWORD)
    assert not app.users.authenticate("tom", "wrong-password")


def test_demo_org_refuses_a_short_password(app: Casedesk, database_url: str, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CASEDESK_DATABASE_URL", database_url)
    assert main(["demo-org", "--password", "short"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err
    with pytest.raises(Exception):
        app.users.groups("ivy")


def test_make_run_creates_no_demo_users_on_a_configured_database(
        app: Casedesk, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CASEDESK_DATABASE_URL", database_url)
    assert main(["demo-org", "--embedded-only", "--password", PASSWORD]) == 0
    assert "not creating the demo users" in capsys.readouterr().err
    assert not app.users.authenticate("ivy", PASSWORD)  # a demo-org user: none were created
    with pytest.raises(NotFound):
        app.users.groups("ivy")


def test_make_run_creates_the_demo_users_on_the_embedded_database(
        app: Casedesk, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEDESK_DATABASE_URL", raising=False)
    monkeypatch.setattr(config, "_default_database_url", lambda: database_url)  # stands in for var/casedesk.db
    assert main(["demo-org", "--embedded-only", "--password", PASSWORD]) == 0
    assert app.users.groups("ivy") == {"intake", "staff"}
