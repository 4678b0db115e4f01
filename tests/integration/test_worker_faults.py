"""Worker faults: a worker killed mid-job, and many workers racing for the same due timers."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import func, select

from engine.bootstrap import Casedesk, bootstrap
from engine.clock import SystemClock
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.jobs.store import JOBS
from engine.models import InstanceEvent, ProcessInstance
from tests.conftest import _empty_database
from tests.support.worker_process import fault_handlers

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bpmn"
LEASE = 2.0
PAST = "2020-01-01T00:00:00Z"  # due long ago on the system clock: nothing waits for time to pass


def worker_process(url: str, name: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.worker_process", "--database-url", url, "--name", name,
         "--lease", str(LEASE), *extra],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})


def faults_app(url: str) -> Casedesk:
    app = bootstrap(Settings(database_url=url, job_lease_seconds=LEASE), clock=SystemClock(),
                    handlers=fault_handlers())
    app.definitions.deploy(collect_files(FIXTURES / "faults"), "owen")
    app.definitions.deploy(collect_files(FIXTURES / "timers"), "owen")
    app.users.add_user("alice", "correct-horse-1", ["clerk"])
    return app


@pytest.fixture
def faults(database_url: str) -> Iterator[Casedesk]:
    app = faults_app(database_url)
    yield app
    app.close()


def count_events(app: Casedesk, type_: str, instance_id: str | None = None) -> int:
    query = select(func.count()).select_from(InstanceEvent).where(InstanceEvent.type == type_)
    if instance_id is not None:
        query = query.where(InstanceEvent.instance_id == instance_id)
    with app.db.unit_of_work(write=False) as session:
        return int(session.scalar(query) or 0)


def test_a_worker_killed_in_the_middle_of_a_job_is_replaced_after_its_lease_expires(
        faults: Casedesk, database_url: str, tmp_path: Path) -> None:
    started = faults.runtime.start_instance("timer_then_service", {"due": PAST, "label": "x"}, actor="alice")
    marker = tmp_path / "paused"
    victim = worker_process(database_url, "victim", "--pause-marker", str(marker))
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert victim.poll() is None, "the worker died before reaching the job"
            assert time.monotonic() < deadline, "the worker never reached the job"
            time.sleep(0.05)
        if faults.db.is_postgres:  # SQLite has one writer: the paused step holds it, so only PostgreSQL can show
            time.sleep(LEASE * 1.5)  # a live worker renewing its lease past the original expiry
            assert faults.jobs.run_due("rescuer") == 0
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
    finally:
        if victim.poll() is None:
            victim.kill()

    ran, deadline = 0, time.monotonic() + LEASE + 20
    while ran == 0 and time.monotonic() < deadline:
        ran = faults.jobs.run_due("rescuer")
        time.sleep(0.1)

    assert ran == 1
    events = [(e.type, json.loads(e.payload)) for e in faults.history.events(started.id)]
    fired = [p for t, p in events if t == "timer_fired"]
    assert [p["worker"] for p in fired] == ["rescuer"]
    assert [t for t, _ in events].count("service_result") == 1
    assert faults.runtime.get_instance(started.id).status == "completed"
    assert faults.history.verify(started.id).ok


@pytest.mark.postgres
def test_four_workers_fire_a_thousand_due_timers_exactly_once(request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("postgres_url")
    _empty_database(url)
    app = faults_app(url)
    try:
        with ThreadPoolExecutor(4) as pool:  # PostgreSQL takes concurrent starts; the setup is not under test
            list(pool.map(lambda n: app.runtime.start_instance("wait_until", {"due": PAST, "n": n}, actor="alice"),
                          range(1000)))
        started = time.monotonic()
        workers = [worker_process(url, f"w{i}", "--until-idle") for i in range(4)]
        outputs = [w.communicate(timeout=300)[0] for w in workers]
        assert [w.returncode for w in workers] == [0, 0, 0, 0]
        ran = [int(out.split()[-1]) for out in outputs]

        assert sum(ran) == 1000
        assert count_events(app, "timer_fired") == 1000
        with app.db.unit_of_work(write=False) as session:
            per_instance = session.execute(
                select(InstanceEvent.instance_id, func.count()).where(InstanceEvent.type == "timer_fired")
                .group_by(InstanceEvent.instance_id)).all()
            statuses = dict(session.execute(select(ProcessInstance.status, func.count())
                                            .group_by(ProcessInstance.status)).all())
            left = session.scalar(select(func.count()).select_from(JOBS))
        assert len(per_instance) == 1000 and {count for _, count in per_instance} == {1}
        assert statuses == {"completed": 1000}
        assert left == 0
        print(f"\njobs per worker: {ran}; workers took {time.monotonic() - started:.1f} s")
    finally:
        app.close()
