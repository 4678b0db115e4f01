"""What the OS-limited sandbox costs: one isolated script against the same script in process, and per step."""
from __future__ import annotations

import statistics
import time
from typing import Callable

from bench.drivers import CasedeskDriver, run_to_end
from engine.bootstrap import Casedesk
from engine.sandbox import isolation
from engine.sandbox.policy import SandboxEnvironment

PREPARE = "title = ' '.join(title.split())\nrounds = 0"  # a script that must be isolated (join)


def _per_call(run: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        run()
    return (time.perf_counter() - started) / count


def _instance_rate(app: Casedesk, instances: int, rounds: int) -> float:
    started = time.perf_counter()
    for i in range(instances):
        run_to_end(CasedeskDriver(app, f"Sandbox document {i}"), rounds)
    return instances / (time.perf_counter() - started)


def print_sandbox_cost(app: Casedesk, instances: int, rounds: int, repeats: int) -> None:
    """Isolation on against isolation off (everything in process), batches taking turns, medians."""
    env = SandboxEnvironment()
    isolated = _per_call(lambda: env.execute(PREPARE, {"title": " A "}), 50)
    original = isolation.needs_isolation
    try:
        isolation.needs_isolation = lambda source, mode: False  # type: ignore[assignment]
        in_process = _per_call(lambda: env.execute(PREPARE, {"title": " A "}), 50)
    finally:
        isolation.needs_isolation = original  # type: ignore[assignment]
    rates: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(repeats):
        for on in (True, False):
            isolation.needs_isolation = original if on else (lambda source, mode: False)  # type: ignore
            try:
                rates[on].append(_instance_rate(app, instances, rounds))
            finally:
                isolation.needs_isolation = original  # type: ignore[assignment]
    on, off = statistics.median(rates[True]), statistics.median(rates[False])
    print("\nSandbox under OS limits (a forked child with RLIMIT_CPU/RLIMIT_AS for code that calls or loops):")
    print(f"  a script calling str.join: {isolated * 1000:.2f} ms isolated, {in_process * 1000:.3f} ms in process")
    print(f"  document review instances/s: {on:.1f} with isolation, {off:.1f} without (x{off / on:.2f} cost; "
          "its script and conditions are short and call only bounded builtins: they stay in process)")
