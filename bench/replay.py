"""Benchmark replay: events/s replayed, against live execution of the same instances in the same run."""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
# Run as a file, Python puts bench/ first on the path, where engine.py would shadow the engine package.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, ROOT / "bench")]

from bench.drivers import CasedeskDriver, open_casedesk, postgres_casedesk, run_to_end, sqlite_url  # noqa: E402
from engine.bootstrap import Casedesk  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
# Send-back rounds of the document review: 0 gives a short history (~14 events), each round adds 7.
SHORT_ROUNDS, LONG_ROUNDS = 0, 142
GOAL_EVENTS_PER_SECOND = 5000


@dataclass
class Measurement:
    label: str
    instances: int
    events: int
    live_seconds: float
    replay_seconds: float

    @property
    def live_rate(self) -> float:
        return self.events / self.live_seconds

    @property
    def replay_rate(self) -> float:
        return self.events / self.replay_seconds


def live(app: Casedesk, rounds: int, title: str) -> tuple[str, float]:
    """Run one instance to its end through the runtime; its id and the seconds it took."""
    started = time.perf_counter()
    driver = CasedeskDriver(app, title)
    run_to_end(driver, rounds)
    return driver.view.id, time.perf_counter() - started


def measure(app: Casedesk, label: str, rounds: int, instances: int, repeats: int) -> Measurement:
    """Live time of each instance once; replay time the median of `repeats` replays of each."""
    ids, live_total = [], 0.0
    gc.collect()
    for i in range(instances):
        instance_id, seconds = live(app, rounds, f"{label} {i}")
        ids.append(instance_id)
        live_total += seconds
    events = sum(app.runtime.get_instance(i).events for i in ids)
    replay_total = 0.0
    for instance_id in ids:
        times = []
        for _ in range(repeats):
            gc.collect()
            started = time.perf_counter()
            report = app.history.replay(instance_id)
            times.append(time.perf_counter() - started)
            if not report.verified:
                raise SystemExit(f"replay of {instance_id} did not verify: {report.as_dict()}")
        replay_total += statistics.median(times)
    return Measurement(label, instances, events, live_total, replay_total)


def run(app: Casedesk, database: str, quick: bool) -> list[Measurement]:
    short_n, long_n, repeats = (20, 1, 3) if quick else (100, 3, 5)
    for i in range(3):  # warm-up: parse caches, statement caches, imports
        app.history.replay(live(app, SHORT_ROUNDS, f"warm-up {i}")[0])
    return [
        measure(app, f"short ({database})", SHORT_ROUNDS, short_n, repeats),
        measure(app, f"long ({database})", LONG_ROUNDS, long_n, repeats),
    ]


def print_table(rows: Sequence[Measurement]) -> None:
    print("\nReplay vs live execution of the same instances (document review; replay includes reading the log,")
    print("checking the chain and the pinned files, and comparing the final state)")
    print(f"  {'history':<22} {'inst':>5} {'events/inst':>12} {'live ev/s':>11} {'replay ev/s':>12} "
          f"{'replay/live':>12}")
    for m in rows:
        print(f"  {m.label:<22} {m.instances:>5} {m.events / m.instances:>12.0f} {m.live_rate:>11.0f} "
              f"{m.replay_rate:>12.0f} {m.replay_rate / m.live_rate:>11.2f}x")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer instances and repeats")
    parser.add_argument("--postgres", metavar="URL", nargs="?", const=DEFAULT_PG,
                        help=f"also measure on PostgreSQL (default server {DEFAULT_PG})")
    args = parser.parse_args(argv)
    rows: list[Measurement] = []
    with sqlite_url() as url:
        app = open_casedesk(url)
        try:
            rows += run(app, "SQLite", args.quick)
        finally:
            app.close()
    if args.postgres:
        with postgres_casedesk(args.postgres) as (pg_app, note):
            if pg_app is None:
                print(f"PostgreSQL skipped: {note}")
            else:
                rows += run(pg_app, "PostgreSQL", args.quick)
    print_table(rows)
    for m in rows:
        if m.label.startswith("long"):
            verdict = "MET" if m.replay_rate >= GOAL_EVENTS_PER_SECOND else "NOT MET"
            print(f"goal (issue 14): replay >= {GOAL_EVENTS_PER_SECOND:,} events/s on a "
                  f"{m.events / m.instances:,.0f}-event history, {m.label}: {m.replay_rate:,.0f}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
