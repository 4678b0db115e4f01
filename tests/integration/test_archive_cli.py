"""`casedesk archive list | read | accesses` as an archivist, an auditor and a staff member would use them."""
from __future__ import annotations

from typing import Callable

import pytest

from engine.bootstrap import Casedesk
from tests.integration.test_archive_register import file
from cli.main import main

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(app: Casedesk, database_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Cli:
    monkeypatch.setenv("CASEDESK_DATABASE_URL", database_url)
    app.users.add_user("ada", "archivist-pw", ["archivist", "staff"])
    app.users.add_user("sam", "staff-pw-1", ["staff", "sales"])
    capsys.readouterr()

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["archive", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_archivist_lists_the_register_without_content(app: Casedesk, cli: Cli) -> None:
    file(app, "XS-20260105-0001", title="Contract with ACME")
    file(app, "CW-20260105-0001", "finance", title="Q1 payments")
    code, out, _ = cli("list", "--user", "ada")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("DA-CW-2026-000001  財務檔案 Finance archives  open")
    assert "case CW-20260105-0001  Q1 payments" in lines[0]
    assert lines[1].startswith("DA-XS-2026-000001  銷售檔案 Sales archives  open")
    assert "ID copy" not in out  # titles and counts, never the filed content
    code, out, _ = cli("list", "--user", "audrey", "--class", "sales")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["DA-XS-2026-000001"]


def test_staff_may_not_list_the_register(app: Casedesk, cli: Cli) -> None:
    code, out, err = cli("list", "--user", "sam")
    assert code == 1 and out == ""
    assert "Forbidden: sam may not list the archive register" in err


def test_r_6_4_read_without_borrowing_is_refused_and_the_refusal_is_in_the_access_log(
    app: Casedesk, cli: Cli
) -> None:
    number = file(app, "XS-20260105-0001")
    for reader in ("sam", "ada"):
        code, out, err = cli("read", number, "--user", reader)
        assert code == 1 and out == ""
        assert f"Forbidden: {reader} has no borrowing of archive {number}" in err
    code, out, _ = cli("accesses", number, "--user", "audrey")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert "sam" in lines[0] and "refused" in lines[0] and "has no borrowing" in lines[0]
    assert "ada" in lines[1] and "refused" in lines[1]
    code, _, err = cli("accesses", number, "--user", "sam")
    assert code == 1 and "sam may not see the archive access log" in err


def test_r_6_3_inventory_from_the_command_line(app: Casedesk, cli: Cli) -> None:
    file(app, "XS-20260105-0001")
    code, out, _ = cli("inventory", "--user", "ada")
    assert code == 0
    assert "sales 1; 2 filed items" in out and "complete: nothing missing, nothing overdue" in out
    code, _, err = cli("inventory", "--user", "sam")
    assert code == 1 and "sam may not take the archive inventory" in err
