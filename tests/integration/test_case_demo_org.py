"""`casedesk demo-org`: the demo organisation of HELPERS.md, created idempotently and printed."""
from __future__ import annotations

import pytest

from engine.bootstrap import Casedesk
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
