"""Races on one task: many clerks act at the same instant, exactly one of them wins.

Threads (one shared app = one connection pool, or one bootstrap per thread = separate pools,
like separate web workers) run on SQLite and PostgreSQL; real processes started with the
"spawn" context run on PostgreSQL. Every racer waits at a barrier, so they all hit the
database together; no test sleeps to synchronise.
"""
from __future__ import annotations

import json
import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import pytest

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import Settings
from engine.errors import Conflict

THREADS = 8
PROCESSES = 6
PASSWORD = "correct-horse-1"
BARRIER_TIMEOUT = 60


@dataclass(frozen=True)
class Outcome:
    """What one racer saw: the call's result, or the exception it raised."""

    actor: str
    result: Any = None
    error: BaseException | None = None

    @property
    def won(self) -> bool:
        return self.error is None


def add_clerks(app: Casedesk, count: int) -> list[str]:
    names = [f"clerk{i}" for i in range(count)]
    for name in names:
        app.users.add_user(name, PASSWORD, ["clerk"])
    return names


def start_document(app: Casedesk, title: str = "Travel policy") -> tuple[str, str]:
    """A new document review instance and the id of its draft task."""
    started = app.runtime.start_instance("document_review", {"title": title}, actor="alice")
    (draft,) = app.runtime.list_tasks(instance_id=started.id)
    assert draft.task_spec == "draft"
    return started.id, draft.id


def race(actors: list[str], action: Callable[[int, str], Any]) -> list[Outcome]:
    """Run action(i, actor) in one thread per actor, all released together by a barrier."""
    barrier = threading.Barrier(len(actors))

    def run(index: int) -> Outcome:
        barrier.wait(timeout=BARRIER_TIMEOUT)
        try:
            return Outcome(actors[index], result=action(index, actors[index]))
        except Exception as exc:  # noqa: BLE001 - every outcome is asserted on by the caller
            return Outcome(actors[index], error=exc)

    with ThreadPoolExecutor(max_workers=len(actors)) as pool:
        return list(pool.map(run, range(len(actors))))


@pytest.fixture(params=["one shared app", "one app per thread"])
def racing_apps(request: pytest.FixtureRequest, app: Casedesk, database_url: str,
                clock: FakeClock) -> Iterator[list[Casedesk]]:
    """THREADS handles on the test database: the fixture's app shared, or each its own bootstrap."""
    if request.param == "one shared app":
        yield [app] * THREADS
        return
    own = [bootstrap(Settings(database_url=database_url), clock=clock) for _ in range(THREADS)]
    try:
        yield own
    finally:
        for casedesk in own:
            casedesk.close()


def assert_single_step_taken(app: Casedesk, instance_id: str, task_id: str, winner: str) -> None:
    """The draft was submitted once, by the winner; the review is ready once; the chain holds."""
    events = app.history.events(instance_id)
    submitted = [e for e in events if e.type == "task_submitted" and e.task_id == task_id]
    assert [e.actor for e in submitted] == [winner]
    assert json.loads(submitted[0].payload)["claimed_now"] is True
    review_ready = [e for e in events if e.type == "task_ready" and e.task_spec == "review"]
    assert len(review_ready) == 1
    tasks = app.runtime.list_tasks(instance_id=instance_id)
    assert [(t.task_spec, t.id) for t in tasks] == [("review", review_ready[0].task_id)]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert app.runtime.get_instance(instance_id).events == len(events)
    report = app.history.verify(instance_id)
    assert report.ok, report.problems


# -- threads, SQLite and PostgreSQL -----------------------------------------------------------


def test_two_clerks_completing_one_task_at_once_one_wins_one_conflicts(app: Casedesk) -> None:
    clerks = add_clerks(app, 2)
    instance_id, task_id = start_document(app)

    outcomes = race(clerks, lambda i, actor: app.runtime.complete_task(task_id, {"body": f"by {actor}"}, actor=actor))

    winners = [o for o in outcomes if o.won]
    assert len(winners) == 1, outcomes
    loser = next(o for o in outcomes if not o.won)
    assert isinstance(loser.error, Conflict), repr(loser.error)
    assert winners[0].result.ready_tasks[0].task_spec == "review"
    assert_single_step_taken(app, instance_id, task_id, winners[0].actor)


def test_eight_clerks_completing_one_task_at_once_exactly_one_wins(
    app: Casedesk, racing_apps: list[Casedesk]
) -> None:
    clerks = add_clerks(app, THREADS)
    instance_id, task_id = start_document(app)

    outcomes = race(
        clerks,
        lambda i, actor: racing_apps[i].runtime.complete_task(task_id, {"body": f"by {actor}"}, actor=actor),
    )

    winners = [o for o in outcomes if o.won]
    assert len(winners) == 1, outcomes
    losers = [o for o in outcomes if not o.won]
    assert all(isinstance(o.error, Conflict) for o in losers), [repr(o.error) for o in losers]
    assert all("no longer ready" in str(o.error) for o in losers), [str(o.error) for o in losers]
    assert_single_step_taken(app, instance_id, task_id, winners[0].actor)
    submitted = next(e for e in app.history.events(instance_id) if e.type == "task_submitted")
    assert f"by {winners[0].actor}" in submitted.payload


def test_eight_clerks_claiming_one_task_at_once_exactly_one_gets_it(
    app: Casedesk, racing_apps: list[Casedesk]
) -> None:
    clerks = add_clerks(app, THREADS)
    instance_id, task_id = start_document(app)

    outcomes = race(clerks, lambda i, actor: racing_apps[i].runtime.claim_task(task_id, actor=actor))

    winners = [o for o in outcomes if o.won]
    assert len(winners) == 1, outcomes
    winner = winners[0].actor
    assert winners[0].result.assignee == winner
    losers = [o for o in outcomes if not o.won]
    # A late claimer lost a race: a Conflict that names who holds the task, never a database
    # error, a second claim or a silent success.
    assert all(isinstance(o.error, Conflict) for o in losers), [repr(o.error) for o in losers]
    assert all(f"claimed by {winner}" in str(o.error) for o in losers), [str(o.error) for o in losers]

    (task,) = app.runtime.list_tasks(instance_id=instance_id)
    assert (task.id, task.assignee) == (task_id, winner)
    claims = [e for e in app.history.events(instance_id) if e.type == "task_claimed"]
    assert [(e.actor, e.task_id) for e in claims] == [(winner, task_id)]
    assert app.history.verify(instance_id).ok
    loser = next(c for c in clerks if c != winner)
    assert [t.id for t in app.runtime.list_tasks(user=winner)] == [task_id]
    assert app.runtime.list_tasks(user=loser) == []


def test_clerks_completing_different_documents_at_once_all_succeed(
    app: Casedesk, racing_apps: list[Casedesk]
) -> None:
    clerks = add_clerks(app, THREADS)
    documents = [start_document(app, title=f"Document {i}") for i in range(THREADS)]

    outcomes = race(
        clerks,
        lambda i, actor: racing_apps[i].runtime.complete_task(documents[i][1], {"body": f"text {i}"}, actor=actor),
    )

    assert [o.error for o in outcomes] == [None] * THREADS
    for (instance_id, task_id), clerk in zip(documents, clerks):
        assert_single_step_taken(app, instance_id, task_id, clerk)


def test_two_servers_taking_turns_on_one_document_always_act_on_its_latest_state(
    app: Casedesk, database_url: str, clock: FakeClock
) -> None:
    """Each server keeps recently used workflows in memory; the other server's steps must win."""
    other = bootstrap(Settings(database_url=database_url), clock=clock)
    try:
        instance_id, task_id = start_document(app)
        servers = [app, other]
        for round_ in range(4):
            drafting, reviewing = servers[round_ % 2], servers[(round_ + 1) % 2]
            drafting.runtime.complete_task(task_id, {"body": f"draft {round_}"}, actor="alice")
            (review,) = reviewing.runtime.list_tasks(instance_id=instance_id)
            decision = "approve" if round_ == 3 else "send_back"
            view = reviewing.runtime.complete_task(review.id, {"decision": decision}, actor="rita")
            if round_ < 3:
                (draft,) = view.ready_tasks
                task_id = draft.id
        assert view.status == "completed"
        events = app.history.events(instance_id)
        assert [e.type for e in events].count("task_submitted") == 8
        final = next(e for e in events if e.type == "instance_completed")
        assert '"body":"draft 3"' in final.payload
        assert app.history.verify(instance_id).ok
    finally:
        other.close()


def test_a_cancel_racing_a_completion_leaves_a_cancelled_instance_with_an_intact_log(app: Casedesk) -> None:
    instance_id, task_id = start_document(app)
    actions = {
        "alice": lambda: app.runtime.complete_task(task_id, {"body": "text"}, actor="alice"),
        "root": lambda: app.runtime.cancel_instance(instance_id, actor="root", reason="duplicate"),
    }

    outcomes = {o.actor: o for o in race(list(actions), lambda i, actor: actions[actor]())}

    assert outcomes["root"].won, repr(outcomes["root"].error)
    assert outcomes["root"].result.status == "cancelled"
    events = app.history.events(instance_id)
    submitted = [e for e in events if e.type == "task_submitted"]
    if outcomes["alice"].won:  # the completion went first; the cancel withdrew the review task
        assert [e.actor for e in submitted] == ["alice"]
        assert [e.type for e in events][-2:] == ["instance_cancelled", "task_withdrawn"]
    else:  # the cancel went first; the completion found the instance cancelled
        assert isinstance(outcomes["alice"].error, Conflict), repr(outcomes["alice"].error)
        assert submitted == []
    assert app.runtime.get_instance(instance_id).status == "cancelled"
    assert app.runtime.list_tasks(instance_id=instance_id) == []
    assert app.history.verify(instance_id).ok


# -- processes, PostgreSQL --------------------------------------------------------------------


def complete_in_own_process(database_url: str, task_id: str, actor: str, barrier: Any, outcomes: Any) -> None:
    """Child process body: own bootstrap, wait for the others, complete, report as text."""
    try:
        casedesk = bootstrap(Settings(database_url=database_url))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        barrier.abort()
        outcomes.put(f"{actor} bootstrap {type(exc).__name__}: {exc}")
        return
    try:
        barrier.wait(timeout=BARRIER_TIMEOUT)
        try:
            casedesk.runtime.complete_task(task_id, {"body": f"by {actor}"}, actor=actor)
            outcomes.put(f"{actor} ok")
        except Exception as exc:  # noqa: BLE001
            outcomes.put(f"{actor} {type(exc).__name__}: {exc}")
    except Exception as exc:  # noqa: BLE001 - e.g. a broken barrier
        outcomes.put(f"{actor} barrier {type(exc).__name__}: {exc}")
    finally:
        casedesk.close()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_six_server_processes_completing_one_task_at_once_exactly_one_wins(
    app: Casedesk, database_url: str
) -> None:
    clerks = add_clerks(app, PROCESSES)
    instance_id, task_id = start_document(app)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    queue = context.Queue()
    workers = [
        context.Process(target=complete_in_own_process, args=(database_url, task_id, clerk, barrier, queue))
        for clerk in clerks
    ]
    for worker in workers:
        worker.start()
    try:
        reports = sorted(queue.get(timeout=180) for _ in workers)
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.kill()

    winners = [r for r in reports if r.endswith(" ok")]
    assert len(winners) == 1, reports
    losers = [r for r in reports if not r.endswith(" ok")]
    assert all(" Conflict: " in r and "no longer ready" in r for r in losers), reports
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    assert_single_step_taken(app, instance_id, task_id, winners[0].split()[0])
