"""`casedesk replay INSTANCE | --all`: verified instances exit 0; any divergence or broken chain exits 1."""
from __future__ import annotations

import json

from sqlalchemy import update

from engine.bootstrap import Casedesk
from engine.models import InstanceEvent
from tests.integration.test_cli import Cli, cli  # noqa: F401  (fixture)
from tests.integration.test_replay import run_review


def test_replay_all_verifies_every_instance_and_prints_a_summary(app: Casedesk, cli: Cli) -> None:  # noqa: F811
    views = [run_review(app, rounds=2), run_review(app, rounds=1, finish=False)]
    result = cli("replay", "--all", "--verbose")
    assert result.code == 0, result.out + result.err
    for view in views:
        assert f"{view.id} (document_review v1, {view.events} events): verified" in result.out
    assert result.out.strip().endswith("2 instance(s): 2 verified, 0 failed (0 with a broken chain)")
    assert "replaying" in result.err  # the progress bar, on stderr


def test_replay_all_exits_1_and_names_the_tampered_instance(app: Casedesk, cli: Cli) -> None:  # noqa: F811
    good, bad = run_review(app), run_review(app, rounds=2)
    edited = next(e for e in app.history.events(bad.id) if e.type == "task_done" and e.task_spec == "prepare")
    payload = json.loads(edited.payload)
    payload["delta"]["set"]["rounds"] = 3
    with app.db.unit_of_work() as session:
        session.execute(update(InstanceEvent).where(InstanceEvent.id == edited.id)
                        .values(payload=json.dumps(payload)))

    result = cli("replay", "--all")
    assert result.code == 1
    assert good.id not in result.out  # only findings are listed without --verbose
    assert f"{bad.id} (document_review v1, {bad.events} events): BROKEN CHAIN: seq {edited.seq}" in result.out
    assert f"DIVERGED: seq {edited.seq}: event differs: task_done prepare: payload.delta.set.rounds differs" \
        in result.out
    assert "2 instance(s): 1 verified, 1 failed (1 with a broken chain)" in result.out

    single = cli("replay", good.id)
    assert single.code == 0 and f"{good.id} (document_review v1, {good.events} events): verified" in single.out


def test_replay_of_an_unknown_instance_exits_1(app: Casedesk, cli: Cli) -> None:  # noqa: F811
    result = cli("replay", "no-such-instance")
    assert result.code == 1 and "no instance no-such-instance" in result.err
