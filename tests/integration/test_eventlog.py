"""The event log is a hash chain: any edit made behind the application's back is detected.

Each tampering test runs a demo instance through a few steps, changes the stored rows with
raw SQL (as someone with database access would), and checks that verification names the
damage — through the history service and through `casedesk verify`.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from engine.bootstrap import Casedesk
from engine.history.eventlog import GENESIS
from cli.main import main


def only_task(app: Casedesk, instance_id: str):  # type: ignore[no-untyped-def]
    tasks = app.runtime.list_tasks(instance_id=instance_id)
    assert len(tasks) == 1, tasks
    return tasks[0]


def reviewed_once(app: Casedesk, title: str = "Travel policy") -> str:
    """An instance drafted, sent back and waiting for its second draft (11 events)."""
    started = app.runtime.start_instance("document_review", {"title": title}, actor="alice")
    app.runtime.complete_task(only_task(app, started.id).id, {"body": "Policy text"}, actor="alice")
    app.runtime.complete_task(only_task(app, started.id).id, {"decision": "send_back"}, actor="rita")
    return started.id


def tamper(app: Casedesk, sql: str, **params: Any) -> None:
    with app.db.engine.begin() as conn:
        conn.execute(text(sql), params)


def seq_of(app: Casedesk, instance_id: str, type_: str, nth: int = 0) -> int:
    return [e.seq for e in app.history.events(instance_id) if e.type == type_][nth]


def problems(app: Casedesk, instance_id: str) -> list[str]:
    report = app.history.verify(instance_id)
    assert not report.ok
    return report.problems


# -- the chain as written -----------------------------------------------------------------------


def test_untouched_history_verifies(app: Casedesk) -> None:
    instance_id = reviewed_once(app)
    report = app.history.verify(instance_id)
    assert report.ok and report.problems == []
    assert report.events == len(app.history.events(instance_id)) == 11


def test_events_are_numbered_without_gaps_and_each_links_to_the_one_before(app: Casedesk) -> None:
    instance_id = reviewed_once(app)
    other = reviewed_once(app, title="Another document")  # interleaved instances keep their own numbering
    app.runtime.complete_task(only_task(app, instance_id).id, {"body": "Second draft"}, actor="bob")

    for checked in (instance_id, other):
        events = app.history.events(checked)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert events[0].prev_hash == GENESIS
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        assert len({e.hash for e in events}) == len(events)
        with app.db.engine.connect() as conn:
            head = conn.execute(text("SELECT event_seq, event_head FROM process_instance WHERE id = :id"),
                                {"id": checked}).one()
        assert tuple(head) == (events[-1].seq, events[-1].hash)
        assert app.history.verify(checked).ok


# -- tampering with instance_event ---------------------------------------------------------------


def test_an_edited_submission_is_reported_as_edited_at_its_seq(app: Casedesk) -> None:
    instance_id = reviewed_once(app)
    seq = seq_of(app, instance_id, "task_submitted")
    tamper(app, "UPDATE instance_event SET payload = :payload WHERE instance_id = :id AND seq = :seq",
           payload=json.dumps({"data": {"body": "Forged text"}}, separators=(",", ":")), id=instance_id, seq=seq)

    (problem,) = problems(app, instance_id)
    assert problem.startswith(f"seq {seq}:") and "edited" in problem


@pytest.mark.parametrize("column, value", [
    ("actor", "mallory"),
    ("type", "task_withdrawn"),
    ("task_spec", "publish"),
    ("category", "effect"),
])
def test_an_edited_event_field_is_reported_as_edited(app: Casedesk, column: str, value: str) -> None:
    instance_id = reviewed_once(app)
    seq = seq_of(app, instance_id, "task_submitted", nth=1)  # rita's decision
    tamper(app, f"UPDATE instance_event SET {column} = :value WHERE instance_id = :id AND seq = :seq",
           value=value, id=instance_id, seq=seq)

    (problem,) = problems(app, instance_id)
    assert problem.startswith(f"seq {seq}:") and "edited" in problem


def test_a_deleted_middle_event_is_reported_missing(app: Casedesk) -> None:
    instance_id = reviewed_once(app)
    seq = seq_of(app, instance_id, "task_submitted")
    tamper(app, "DELETE FROM instance_event WHERE instance_id = :id AND seq = :seq", id=instance_id, seq=seq)

    (problem,) = problems(app, instance_id)
    assert f"expected seq {seq}" in problem and "missing" in problem


def test_a_deleted_last_event_is_reported_as_a_head_mismatch(app: Casedesk) -> None:
    instance_id = reviewed_once(app)
    last = app.history.events(instance_id)[-1].seq
    tamper(app, "DELETE FROM instance_event WHERE instance_id = :id AND seq = :seq", id=instance_id, seq=last)

    (problem,) = problems(app, instance_id)
    assert "chain head" in problem and f"records seq {last}" in problem


def test_two_swapped_events_are_reported_reordered(app: Casedesk) -> None:
    instance_id = reviewed_once(app)
    first = seq_of(app, instance_id, "task_submitted")
    second = first + 1
    # (instance_id, seq) is unique, so the swap goes through a free seq value.
    for old, new in ((first, -1), (second, first), (-1, second)):
        tamper(app, "UPDATE instance_event SET seq = :new WHERE instance_id = :id AND seq = :old",
               new=new, old=old, id=instance_id)

    (problem,) = problems(app, instance_id)
    assert problem.startswith(f"seq {second}:") and "reordered" in problem


def test_two_events_swapped_with_their_whole_content_are_detected(app: Casedesk) -> None:
    """Moving the content of two rows (not just their seq) breaks the prev_hash links."""
    instance_id = reviewed_once(app)
    first = seq_of(app, instance_id, "task_submitted")
    second = first + 1
    columns = ["at", "actor", "category", "type", "task_id", "task_spec", "payload", "prev_hash", "hash"]
    with app.db.engine.begin() as conn:
        rows = {seq: conn.execute(text(f"SELECT {', '.join(columns)} FROM instance_event "
                                       "WHERE instance_id = :id AND seq = :seq"), {"id": instance_id, "seq": seq}).one()
                for seq in (first, second)}
        assignments = ", ".join(f"{c} = :{c}" for c in columns)
        for target, source in ((first, second), (second, first)):
            conn.execute(text(f"UPDATE instance_event SET {assignments} WHERE instance_id = :id AND seq = :seq"),
                         dict(rows[source]._mapping, id=instance_id, seq=target))

    (problem,) = problems(app, instance_id)
    assert problem.startswith(f"seq {first}:")


# -- tampering with process_instance -------------------------------------------------------------


def test_an_edited_chain_head_on_the_instance_is_reported(app: Casedesk) -> None:
    instance_id = reviewed_once(app)
    tamper(app, "UPDATE process_instance SET event_head = :head WHERE id = :id", head="f" * 64, id=instance_id)

    (problem,) = problems(app, instance_id)
    assert "chain head" in problem


def test_a_lowered_event_count_on_the_instance_is_reported(app: Casedesk) -> None:
    instance_id = reviewed_once(app)
    tamper(app, "UPDATE process_instance SET event_seq = event_seq - 1 WHERE id = :id", id=instance_id)

    (problem,) = problems(app, instance_id)
    assert "chain head" in problem


def test_tampering_with_one_instance_leaves_the_others_intact(app: Casedesk) -> None:
    damaged, intact = reviewed_once(app), reviewed_once(app, title="Other")
    tamper(app, "UPDATE instance_event SET actor = 'mallory' WHERE instance_id = :id AND seq = 1", id=damaged)

    assert not app.history.verify(damaged).ok
    assert app.history.verify(intact).ok


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("CASEDESK_DATABASE_URL", database_url)


@pytest.mark.usefixtures("cli_env")
def test_verify_command_exits_0_on_an_intact_chain_and_1_after_tampering(
    app: Casedesk, capsys: pytest.CaptureFixture[str]
) -> None:
    instance_id = reviewed_once(app)
    assert main(["verify", instance_id]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"{instance_id}: ok, 11 events, chain intact"

    seq = seq_of(app, instance_id, "task_submitted")
    tamper(app, "UPDATE instance_event SET payload = '{}' WHERE instance_id = :id AND seq = :seq",
           id=instance_id, seq=seq)
    assert main(["verify", instance_id]) == 1
    out = capsys.readouterr().out
    assert f"{instance_id}: BROKEN: seq {seq}:" in out and "edited" in out


@pytest.mark.usefixtures("cli_env")
def test_verify_all_reports_every_instance_and_fails_if_any_is_broken(
    app: Casedesk, capsys: pytest.CaptureFixture[str]
) -> None:
    intact, damaged = reviewed_once(app), reviewed_once(app, title="Other")
    assert main(["verify", "--all"]) == 0
    assert capsys.readouterr().out.count("chain intact") == 2

    tamper(app, "DELETE FROM instance_event WHERE instance_id = :id AND seq = 11", id=damaged)
    assert main(["verify", "--all"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"{intact}: ok, 11 events, chain intact" in lines
    assert any(line.startswith(f"{damaged}: BROKEN:") for line in lines), lines


@pytest.mark.usefixtures("cli_env")
def test_verify_command_reports_an_unknown_instance(app: Casedesk, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "00000000-0000-0000-0000-000000000000"]) == 1
    assert "no instance" in capsys.readouterr().err


@pytest.mark.usefixtures("cli_env")
def test_history_command_prints_one_line_per_event(app: Casedesk, capsys: pytest.CaptureFixture[str]) -> None:
    instance_id = reviewed_once(app)
    events = app.history.events(instance_id)

    assert main(["history", instance_id]) == 0
    lines = capsys.readouterr().out.splitlines()

    assert len(lines) == len(events) == 11
    for line, event in zip(lines, events):
        fields = line.split()
        assert int(fields[0]) == event.seq
        assert event.type in fields
        assert (event.actor or "-") in fields
    assert "alice" in lines[0] and "instance_started" in lines[0]
    assert "rita" in lines[7] and "task_submitted" in lines[7] and "send_back" in lines[7]
