"""`casedesk migrate-instances`: an owner's dry run, then the move, from a terminal."""
from __future__ import annotations

import pytest

from cli.main import main
from engine.bootstrap import Casedesk
from tests.conftest import PASSWORD
from tests.integration.test_instance_migration import (RENAMED_REVIEW, at_draft, at_review, demo_files, edited,
                                                       without_review)


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def owner_cli(app: Casedesk, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Casedesk:
    monkeypatch.setenv("CASEDESK_DATABASE_URL", database_url)
    app.users.add_user("owen", PASSWORD, ["process_owner"])
    return app


def test_a_dry_run_lists_each_instance_and_changes_nothing_then_the_move_moves_them(
        owner_cli: Casedesk, capsys: pytest.CaptureFixture[str]) -> None:
    app = owner_cli
    views = [at_review(app, "a"), at_draft(app, "b")]
    app.definitions.deploy(edited(demo_files(), RENAMED_REVIEW), "owen")
    capsys.readouterr()

    code, out, _ = run("migrate-instances", "document_review", "--from", "1", "--to", "2", "--dry-run",
                       "--user", "owen", capsys=capsys)
    assert code == 0
    assert f"{views[0].id}: can move; tasks changed: review [READY] bpmn_name" in out
    assert f"{views[1].id}: can move" in out
    assert out.strip().endswith("2 running, 2 can move, 0 cannot (dry run: nothing changed)")
    assert {app.runtime.get_instance(v.id).version for v in views} == {1}

    code, out, _ = run("migrate-instances", "document_review", "--from", "1", "--to", "2", "--batch", "1",
                       "--user", "owen", capsys=capsys)
    assert code == 0 and "2 moved in 2 batch(es), 0 left on v1" in out
    assert {app.runtime.get_instance(v.id).version for v in views} == {2}
    assert all(app.history.replay(v.id).verified for v in views)


def test_instances_that_cannot_move_are_named_with_the_reason_and_the_command_fails(
        owner_cli: Casedesk, capsys: pytest.CaptureFixture[str]) -> None:
    app = owner_cli
    stuck = at_review(app, "stuck")
    app.definitions.deploy(without_review(demo_files()), "owen")
    capsys.readouterr()
    code, out, _ = run("migrate-instances", "document_review", "--from", "1", "--to", "2", "--user", "owen",
                       capsys=capsys)
    assert code == 1
    assert (f"{stuck.id}: cannot move: a token is at review (Review the document) (READY), which the "
            "target version does not have") in out
    assert "0 moved in 0 batch(es), 1 left on v1" in out


def test_staff_may_not_migrate(owner_cli: Casedesk, capsys: pytest.CaptureFixture[str]) -> None:
    owner_cli.definitions.deploy(edited(demo_files(), RENAMED_REVIEW), "owen")
    code, _, err = run("migrate-instances", "document_review", "--from", "1", "--to", "2", "--user", "alice",
                       capsys=capsys)
    assert code == 1 and "only process owners and administrators migrate instances" in err
