"""What the OS-limited sandbox costs: an isolated script in a pooled child, in a child forked for it, in process;
per step of a process whose script must be isolated; and per document review instance."""
from __future__ import annotations

import statistics
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from bench.drivers import CasedeskDriver, run_to_end
from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT
from engine.definitions.service import collect_files
from engine.sandbox import isolation
from engine.sandbox.clock_names import clock_names
from engine.sandbox.policy import SandboxEnvironment
from engine.sandbox.pool import SandboxPool

PREPARE = "title = ' '.join(title.split())\nrounds = 0"  # a script that must be isolated (join)
# One script task whose script calls round(): a step that leaves the process (tests/fixtures/bpmn/limits).
LIMITS = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "limits"
WAYS = ("pooled child", "forked child", "in process")


def _per_call(run: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        run()
    return (time.perf_counter() - started) / count


@contextmanager
def _isolation(way: str) -> Iterator[None]:
    """Run isolated code the given way: the pool (today), a fork per call (before the pool), or not at all."""
    pooled, needs = SandboxPool.run, isolation.needs_isolation
    if way == "forked child":
        SandboxPool.run = lambda self, function, args: isolation.run_isolated(  # type: ignore[method-assign]
            lambda: function(*args))
    elif way == "in process":
        isolation.needs_isolation = lambda source, mode: False  # type: ignore[assignment]
    try:
        yield
    finally:
        SandboxPool.run, isolation.needs_isolation = pooled, needs  # type: ignore[method-assign]


def _medians(ways: tuple[str, ...], repeats: int, measure: Callable[[], float]) -> dict[str, float]:
    """Batches of each way taking turns (so load on the machine hits all alike); the median per way."""
    results: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(repeats):
        for way in ways:
            with _isolation(way):
                results[way].append(measure())
    return {way: statistics.median(values) for way, values in results.items()}


def _instance_rate(app: Casedesk, instances: int, rounds: int) -> float:
    started = time.perf_counter()
    for i in range(instances):
        run_to_end(CasedeskDriver(app, f"Sandbox document {i}"), rounds)
    return instances / (time.perf_counter() - started)


def print_sandbox_cost(app: Casedesk, instances: int, rounds: int, repeats: int) -> None:
    env = SandboxEnvironment()
    names = clock_names(datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc))
    env.execute(PREPARE, {"title": " A "}, names)  # the pool's first child is forked here, not timed
    per_call = _medians(WAYS, repeats, lambda: _per_call(lambda: env.execute(PREPARE, {"title": " A "}, names), 30))
    env.pool.close()

    app.definitions.deploy(collect_files(LIMITS), "bench")
    actor = app.users.list_users()[0].username
    data: dict[str, Any] = {"amount": 1234, "digits": 2}
    app.runtime.start_instance("rounding", data, actor=actor)
    per_step = _medians(WAYS, repeats, lambda: _per_call(
        lambda: app.runtime.start_instance("rounding", data, actor=actor), 10))
    review = _medians(("pooled child", "in process"), repeats, lambda: _instance_rate(app, instances, rounds))

    print("\nSandbox under OS limits (RLIMIT_CPU/RLIMIT_AS in a child process for code that calls or loops):")
    print("  a script calling str.join: " + ", ".join(f"{per_call[way] * 1000:.3f} ms {way}" for way in WAYS)
          + f" (fork per call / pool: x{per_call['forked child'] / per_call['pooled child']:.1f})")
    print("  a step running such a script (start `rounding`): "
          + ", ".join(f"{per_step[way] * 1000:.2f} ms {way}" for way in WAYS))
    on, off = review["pooled child"], review["in process"]
    print(f"  document review instances/s: {on:.1f} with isolation, {off:.1f} without (x{off / on:.2f} cost; "
          "its script and conditions are short and call only bounded builtins: they stay in process)")
