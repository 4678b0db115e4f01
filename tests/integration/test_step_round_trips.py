"""A step's round trips to the database are few and bounded, on SQLite and PostgreSQL (issue 14, item 3).

Every statement is a round trip on PostgreSQL (plus the transaction's BEGIN and COMMIT, which the
driver sends on its own): a clerk waits for each one on every completion. The budgets below are what
the store achieves; a change that adds a statement to the hot path fails here. What the shortcuts skip
(reading the instance summary, re-adding known participants, re-reading a locked task) must not change
what anyone sees: the instance page's data and participants still equal the log's, the log replays
verified, and a second worker (its own warm cache) acting in between is seen by the first.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

import pytest
from sqlalchemy import event, func, select, text

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import Settings
from engine.errors import Conflict, Forbidden
from engine.history.eventlog import EFFECT, chain_event
from engine.runtime.readmodel import ReadModel
from engine.runtime.step_write import StepWrite, write_step
from engine.runtime.store import EVENTS, InstanceStore
from bench.drivers import round_trips
from tests.integration.test_instance_projections import folded_from_log

# Statements (round trips besides BEGIN and COMMIT) of one call by someone already taking part, by database.
COMPLETION_BUDGET = {"sqlite": 6, "postgresql": 2}
# Cold, the locked read brings the stored summary along; on SQLite the participants are re-added once.
COLD_COMPLETION_BUDGET = {"sqlite": 7, "postgresql": 2}
START_BUDGET = {"sqlite": 9, "postgresql": 5}
# A claim also asks the absence policy whether the claimer is away: one read more than a release.
CLAIM_BUDGET = {"sqlite": 6, "postgresql": 3}
# Round trips on PostgreSQL, BEGIN and COMMIT included: BEGIN, the locked read, the write, COMMIT.
COMPLETION_ROUND_TRIPS = 4


@contextmanager
def statements(app: Casedesk) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(app.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(app.db.engine, "before_cursor_execute", record)


def dialect(app: Casedesk) -> str:
    return app.db.engine.dialect.name


def ready_task(app: Casedesk, instance_id: str) -> Any:
    (task,) = app.runtime.list_tasks(instance_id=instance_id)
    return task


def complete_ready(app: Casedesk, instance_id: str, data: dict[str, Any], actor: str) -> list[str]:
    """Complete the instance's one ready task; the statements it took."""
    task = ready_task(app, instance_id)
    with statements(app) as seen:
        app.runtime.complete_task(task.id, data, actor)
    return seen


def assert_projections_match_the_log(app: Casedesk, instance_id: str) -> None:
    detail = ReadModel(app.db).instance(instance_id)
    data, completed, actors = folded_from_log(app, instance_id)
    assert detail.data == data
    assert detail.completed_counts == completed
    assert detail.facts.actors == actors
    assert app.history.replay(instance_id).verified


def test_starting_a_document_review_takes_a_bounded_number_of_statements(app: Casedesk) -> None:
    app.runtime.start_instance("document_review", {"title": "Parsed once"}, actor="alice")  # the version is loaded
    with statements(app) as seen:
        started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    assert len(seen) <= START_BUDGET[dialect(app)], seen
    assert not [s for s in seen if s.startswith("SELECT instance_summary")], "a new instance has no summary to read"
    assert ready_task(app, started.id).task_spec == "draft"
    assert_projections_match_the_log(app, started.id)


def test_a_completion_takes_the_budgeted_statements_and_reads_no_summary(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    counts = [
        complete_ready(app, started.id, {"body": "first text"}, "alice"),
        complete_ready(app, started.id, {"decision": "send_back"}, "rita"),
        complete_ready(app, started.id, {"body": "second text"}, "alice"),
        complete_ready(app, started.id, {"decision": "send_back"}, "rita"),
    ]
    # rita's first step makes her a participant: one statement more, once.
    assert len(counts[1]) <= COMPLETION_BUDGET[dialect(app)] + 1, counts[1]
    for seen in [counts[0], *counts[2:]]:
        assert len(seen) <= COMPLETION_BUDGET[dialect(app)], seen
        assert not [s for s in seen if s.startswith("INSERT INTO instance_participant")], seen
    assert not [s for seen in counts for s in seen if "FROM instance_summary" in s]
    assert ready_task(app, started.id).task_spec == "draft"  # sent back twice: a third draft
    assert_projections_match_the_log(app, started.id)


def test_claiming_and_releasing_a_task_take_the_budgeted_statements(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    draft = ready_task(app, started.id)
    with statements(app) as claimed:
        app.runtime.claim_task(draft.id, "bob")
    assert len(claimed) <= CLAIM_BUDGET[dialect(app)], claimed
    assert ready_task(app, started.id).assignee == "bob"
    assert app.runtime.list_tasks(user="alice", instance_id=started.id) == []  # bob holds it now
    with statements(app) as released:
        app.runtime.unclaim_task(draft.id, "bob")
    assert len(released) <= CLAIM_BUDGET[dialect(app)], released
    assert ready_task(app, started.id).assignee is None
    assert [e.type for e in app.history.events(started.id)][-2:] == ["task_claimed", "task_unclaimed"]
    complete_ready(app, started.id, {"body": "first text"}, "alice")  # the claims left the workflow warm
    assert ReadModel(app.db).instance(started.id).facts.actors == {"alice", "bob"}
    assert_projections_match_the_log(app, started.id)


def test_a_cold_completion_reads_the_summary_once_and_is_warm_again(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    app.runtime.warm.clear()  # as after a restart: nothing known in memory
    cold = complete_ready(app, started.id, {"body": "first text"}, "alice")
    assert len(cold) <= COLD_COMPLETION_BUDGET[dialect(app)], cold
    assert [s for s in cold if "JOIN instance_summary" in s] and not [s for s in cold if "FROM instance_summary" in s]
    complete_ready(app, started.id, {"decision": "send_back"}, "rita")
    warm = complete_ready(app, started.id, {"body": "second text"}, "alice")
    assert len(warm) <= COMPLETION_BUDGET[dialect(app)], warm
    assert_projections_match_the_log(app, started.id)


def test_a_second_worker_acting_in_between_is_seen_by_the_first(app: Casedesk, database_url: str,
                                                                clock: FakeClock) -> None:
    """Two workers, two warm caches: a step on one outdates what the other keeps (the row version says so),
    so the other reads the stored summary again instead of writing its stale copy back."""
    other = bootstrap(Settings(database_url=database_url), clock=clock)
    try:
        started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
        complete_ready(app, started.id, {"body": "first text"}, "alice")
        complete_ready(other, started.id, {"decision": "send_back"}, "rita")  # app's warm copy is now outdated
        seen = complete_ready(app, started.id, {"body": "second text"}, "alice")
        locked_read = [s for s in seen if "JOIN instance_summary" in s]
        assert locked_read and "process_instance.state" in locked_read[0], "the outdated warm copy must not be trusted"
        detail = ReadModel(app.db).instance(started.id)
        assert detail.data["decision"] == "send_back" and detail.data["body"] == "second text"
        assert detail.completed_counts["review"] == 1 and detail.completed_counts["draft"] == 2
        assert_projections_match_the_log(app, started.id)
    finally:
        other.close()


def test_the_locked_read_leaves_out_a_state_this_worker_holds_warm(app: Casedesk) -> None:
    started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    task = ready_task(app, started.id)
    version = app.runtime.warm.version_for_task(task.id)
    assert version is not None
    with app.db.transaction() as conn:
        store = InstanceStore(conn, lock_rows=app.db.is_postgres)
        assert store.lock_task(task.id, "alice", warm_version=version).instance.state is None
        stored = store.lock_task(task.id, "alice", warm_version=version - 1).instance.state
        assert stored and store.lock_task(task.id, "alice").instance.state == stored == store.instance_state(started.id)
    app.runtime.warm.clear()
    assert app.runtime.warm.version_for_task(task.id) is None


def test_a_warm_copy_gone_before_the_step_takes_it_is_read_from_the_database(app: Casedesk,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The locked read trusted this worker's warm copy and left the state out; if the copy is gone by the time
    the step wants it (another thread's step took it and failed), the step reads the state, not a new instance."""
    started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    complete_ready(app, started.id, {"body": "first text"}, "alice")
    take = app.runtime.warm.take
    monkeypatch.setattr(app.runtime.warm, "take", lambda instance_id, version: take(instance_id, version) and None)
    seen = complete_ready(app, started.id, {"decision": "send_back"}, "rita")
    assert [s for s in seen if s.startswith("SELECT process_instance.state")], seen
    monkeypatch.undo()
    detail = ReadModel(app.db).instance(started.id)
    assert detail.data["body"] == "first text" and detail.data["decision"] == "send_back"
    assert ready_task(app, started.id).task_spec == "draft"
    complete_ready(app, started.id, {"body": "second text"}, "alice")
    assert_projections_match_the_log(app, started.id)


# -- the task row locked with its instance (PostgreSQL) -------------------------------------------------

@contextmanager
def other_step_holding(app: Casedesk, instance_id: str) -> Iterator[Any]:
    """Another transaction that has locked the instance, as a step on another server would."""
    conn = app.db.engine.connect()
    transaction = conn.begin()
    try:
        conn.execute(text("SELECT id FROM process_instance WHERE id = :i FOR UPDATE"), {"i": instance_id})
        yield conn
        transaction.commit()
    finally:
        conn.close()


def completion_in_thread(app: Casedesk, task_id: str, data: dict[str, Any], actor: str) -> tuple[threading.Thread,
                                                                                               list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(app.runtime.complete_task(task_id, data, actor))
        except Exception as exc:  # noqa: BLE001 - the test asserts what came out
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def wait_until_blocked_on_a_lock(app: Casedesk, deadline_seconds: float = 20.0) -> None:
    """Until some backend of this database waits for a row lock (the completion reached the lock)."""
    probe = app.db.engine.connect()
    try:
        end = time.monotonic() + deadline_seconds
        while time.monotonic() < end:
            waiting = probe.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar()
            probe.rollback()
            if waiting:
                return
            time.sleep(0.01)
        raise AssertionError("the completion never waited for the instance's lock")
    finally:
        probe.close()


@pytest.fixture
def postgres_app(app: Casedesk) -> Casedesk:
    if dialect(app) != "postgresql":
        pytest.skip("PostgreSQL's: row locks that make a step wait, round trips (SQLite serializes writers at BEGIN)")
    return app


def test_a_completion_that_waited_for_another_step_which_finished_the_task_is_a_conflict(
        postgres_app: Casedesk) -> None:
    app = postgres_app
    started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    draft = ready_task(app, started.id)
    with other_step_holding(app, started.id) as conn:
        thread, outcome = completion_in_thread(app, draft.id, {"body": "late text"}, "alice")
        wait_until_blocked_on_a_lock(app)
        conn.execute(text("DELETE FROM human_task WHERE id = :t"), {"t": draft.id})  # the other step took it
    thread.join(30)
    assert isinstance(outcome[0], Conflict) and "no longer ready" in str(outcome[0])


def test_a_completion_that_waited_for_another_clerks_claim_is_refused_by_name(postgres_app: Casedesk) -> None:
    app = postgres_app
    started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    draft = ready_task(app, started.id)
    with other_step_holding(app, started.id) as conn:
        thread, outcome = completion_in_thread(app, draft.id, {"body": "late text"}, "alice")
        wait_until_blocked_on_a_lock(app)
        conn.execute(text("UPDATE human_task SET assignee = 'bob' WHERE id = :t"), {"t": draft.id})
    thread.join(30)
    assert isinstance(outcome[0], Forbidden) and "claimed by bob" in str(outcome[0])
    assert ready_task(app, started.id).assignee == "bob"


# -- round trips on PostgreSQL -------------------------------------------------------------------------

def event_count(app: Casedesk, instance_id: str) -> int:
    with app.db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(EVENTS).where(EVENTS.c.instance_id == instance_id)) \
            .scalar_one()


def test_a_completion_waits_for_the_budgeted_round_trips_on_postgresql(postgres_app: Casedesk) -> None:
    app = postgres_app
    started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    complete_ready(app, started.id, {"body": "first text"}, "alice")
    task = ready_task(app, started.id)
    with round_trips(app) as counted:
        app.runtime.complete_task(task.id, {"decision": "send_back"}, "rita")
    assert counted == [COMPLETION_ROUND_TRIPS]
    assert ready_task(app, started.id).task_spec == "draft"
    assert_projections_match_the_log(app, started.id)


def test_a_step_write_over_a_row_changed_meanwhile_is_a_conflict_and_stores_nothing(
        postgres_app: Casedesk) -> None:
    """The one-statement write's CTEs append events and inbox rows whatever the instance row does: a missed
    row must undo them all, not leave events behind an unchanged chain head."""
    app = postgres_app
    started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    before = event_count(app, started.id)
    with pytest.raises(Conflict, match="changed by someone else"):
        with app.db.transaction() as conn:
            store = InstanceStore(conn, lock_rows=True)
            record = store.lock_instance(started.id)
            assert record is not None
            record.lock_version -= 1  # as a writer would hold it who read before another step
            withdrawn = chain_event(record, app.clock.now(), EFFECT, "task_withdrawn", {"element": "draft"})
            write_step(store, StepWrite(record, is_new=False, events=[withdrawn]))
    assert event_count(app, started.id) == before
    assert ready_task(app, started.id).task_spec == "draft"
    complete_ready(app, started.id, {"body": "first text"}, "alice")  # the instance goes on as before
    assert_projections_match_the_log(app, started.id)


def test_a_statement_after_the_write_sees_it_and_a_rollback_undoes_both(postgres_app: Casedesk) -> None:
    app = postgres_app
    started = app.runtime.start_instance("document_review", {"title": "Travel policy"}, actor="alice")
    before = event_count(app, started.id)
    with pytest.raises(RuntimeError, match="changed my mind"):
        with app.db.transaction() as conn:
            store = InstanceStore(conn, lock_rows=True)
            record = store.lock_instance(started.id)
            assert record is not None
            withdrawn = chain_event(record, app.clock.now(), EFFECT, "task_withdrawn", {"element": "draft"})
            write_step(store, StepWrite(record, is_new=False, events=[withdrawn]))
            seen = conn.execute(select(func.count()).select_from(EVENTS)
                                .where(EVENTS.c.instance_id == started.id)).scalar_one()
            assert seen == before + 1
            raise RuntimeError("changed my mind")
    assert event_count(app, started.id) == before
    assert_projections_match_the_log(app, started.id)
