"""`casedesk migrate-instances`: an owner's dry run, then the move, from a terminal."""
from __future__ import annotations

import pytest

from cli.main import main
from engine.bootstrap import Casedesk
from tests.conftest import PASSWORD
from tests.integration.test_instance_migration import (RENAMED_REVIEW, at_draft, at_review, demo_files, edited,
                                                       without_review)
from tests.web.test_owner_diff import demo_with_stamp_task


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
    assert f"{views[0].id}: can move\n    tasks changed: review (Review the document), ready: name\n" in out
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
    # The dry run did its job when it reported: exit 0, naming the instance that cannot move and why.
    code, out, _ = run("migrate-instances", "document_review", "--from", "1", "--to", "2", "--dry-run",
                       "--user", "owen", capsys=capsys)
    assert code == 0
    assert f"{stuck.id}: cannot move: a token is at review (Review the document) (ready)" in out
    assert out.strip().endswith("1 running, 0 can move, 1 cannot (dry run: nothing changed)")
    code, out, _ = run("migrate-instances", "document_review", "--from", "1", "--to", "2", "--user", "owen",
                       capsys=capsys)
    assert code == 1
    assert (f"{stuck.id}: cannot move: a token is at review (Review the document) (ready), which the "
            "target version does not have\n    tasks lost: review (Review the document), ready\n") in out
    assert "0 moved in 0 batch(es), 1 left on v1" in out


def test_staff_may_not_migrate(owner_cli: Casedesk, capsys: pytest.CaptureFixture[str]) -> None:
    owner_cli.definitions.deploy(edited(demo_files(), RENAMED_REVIEW), "owen")
    code, _, err = run("migrate-instances", "document_review", "--from", "1", "--to", "2", "--user", "alice",
                       capsys=capsys)
    assert code == 1 and "only process owners and administrators migrate instances" in err


def test_a_dry_run_names_what_changes_for_each_task_and_what_the_new_version_adds(
        owner_cli: Casedesk, capsys: pytest.CaptureFixture[str]) -> None:
    app = owner_cli
    reviewing = at_review(app, "a")
    # Version 2: a stamp task after publishing, and the review task is due in two days under a new name.
    due = ('value="review.schema.json" />', 'value="review.schema.json" /><spiffworkflow:property name="dueAt" '
                                           'value="P2D" />')
    files = edited(demo_with_stamp_task(), RENAMED_REVIEW, due)
    app.definitions.deploy(files, "owen")
    capsys.readouterr()

    code, out, _ = run("migrate-instances", "document_review", "--from", "1", "--to", "2", "--dry-run",
                       "--user", "owen", capsys=capsys)

    assert code == 0, out
    assert out.splitlines()[:3] == [
        f"{reviewing.id}: can move",
        "    tasks changed: review (Review the document), ready: name, due at",
        "    added by the new version: stamp (Stamp 蓋章)"]


def test_instances_cannot_move_to_a_retired_or_view_only_version(owner_cli: Casedesk,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    app = owner_cli
    waiting = at_draft(app, "stays")
    app.definitions.deploy(edited(demo_files(), RENAMED_REVIEW), "owen")
    app.definitions.store_model(edited(demo_files(), ('isExecutable="true"', 'isExecutable="false"')), "owen")
    app.lifecycle.set_retired("document_review", 2, True, "owen")
    capsys.readouterr()

    for target, said in (("2", "version 2 of 'document_review' is retired (by owen): no instance may start or move "
                               "onto it; bring it back first (casedesk restore document_review --version 2)"),
                         ("3", "version 3 of 'document_review' is a view-only model")):
        for dry in ([], ["--dry-run"]):
            code, _, err = run("migrate-instances", "document_review", "--from", "1", "--to", target, *dry,
                               "--user", "owen", capsys=capsys)
            assert code == 1 and said in err, err
    assert app.runtime.get_instance(waiting.id).version == 1
    assert [e.type for e in app.history.events(waiting.id)].count("instance_migrated") == 0
    app.lifecycle.set_retired("document_review", 2, False, "owen")  # brought back, it takes instances again
    code, out, _ = run("migrate-instances", "document_review", "--from", "1", "--to", "2", "--user", "owen",
                       capsys=capsys)
    assert code == 0 and "1 moved in 1 batch(es)" in out and app.history.replay(waiting.id).verified
