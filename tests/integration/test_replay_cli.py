"""`casedesk replay INSTANCE | --all`: verified instances exit 0; any divergence or broken chain exits 1."""
from __future__ import annotations

import json
import re

import pytest

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


def test_replay_all_in_parallel_processes_gives_the_serial_verdicts_in_the_same_order(
        app: Casedesk, cli: Cli) -> None:  # noqa: F811
    views = [run_review(app, rounds=1 + n % 3, finish=n % 2 == 0) for n in range(7)]
    bad = views[3]
    edited = next(e for e in app.history.events(bad.id) if e.type == "task_done" and e.task_spec == "prepare")
    payload = json.loads(edited.payload)
    payload["delta"]["set"]["rounds"] = 99
    with app.db.unit_of_work() as session:
        session.execute(update(InstanceEvent).where(InstanceEvent.id == edited.id)
                        .values(payload=json.dumps(payload)))

    serial = cli("replay", "--all", "--verbose", "--jobs", "1")
    parallel = cli("replay", "--all", "--verbose", "--jobs", "3")

    assert (parallel.code, without_replay_ids(parallel.out)) == (serial.code, without_replay_ids(serial.out))
    assert serial.code == 1 and f"{bad.id} (document_review v1, {bad.events} events): BROKEN CHAIN" in serial.out
    assert serial.out.strip().endswith("7 instance(s): 6 verified, 1 failed (1 with a broken chain)")
    assert "replaying" in parallel.err and "7/7" in parallel.err  # the progress bar counts the processes' results


def without_replay_ids(out: str) -> str:
    """Every replay draws its own task uuids (two serial runs differ there too); the recorded ones stay."""
    return "\n".join(re.sub(r"'task_id': '[0-9a-f-]{36}'", "'task_id': (replayed)", line)
                     if line.startswith("    replayed:") else line for line in out.splitlines())


def test_replay_jobs_must_be_positive(app: Casedesk, cli: Cli) -> None:  # noqa: F811
    with pytest.raises(SystemExit):
        cli("replay", "--all", "--jobs", "0")
