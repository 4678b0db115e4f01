"""Benchmark casedesk against raw SpiffWorkflow on the document review diagram: throughput and step cost by age."""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parent.parent
# Run as a file, Python puts bench/ first on the path, where engine.py would shadow the engine package.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, ROOT / "bench")]

from bench.drivers import (  # noqa: E402
    BPMN_FILE,
    CasedeskDriver,
    Driver,
    RawDriver,
    RawSpec,
    TwoWorkerDriver,
    form_data,
    open_casedesk,
    parse_raw_spec,
    postgres_casedesk,
    round_trips,
    run_to_end,
    second_worker,
    sqlite_url,
    standard_serializer,
)
from bench.sandbox_cost import print_sandbox_cost  # noqa: E402
from engine.bootstrap import Casedesk  # noqa: E402
from sqlalchemy import event  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
GOAL_THROUGHPUT = 0.25
GOAL_POSTGRES_THROUGHPUT = 0.10
# Tasks an instance has completed once it is created (start event, `prepare`) and per user step:
# `draft` completes itself; `review` completes itself and the gateway.
START_AGE = 2
AGE_GAIN = {"draft": 1, "review": 2}
DEPTH_LIMIT_NOTE = "ready task hidden by the depth limit"


@dataclass(frozen=True)
class Plan:
    """What one run measures (see --help)."""
    instances: int
    rounds: int
    ages: tuple[int, ...]
    per_point: int
    per_kind: int
    repeats: int
    quick: bool
    postgres_url: str


# -- throughput ---------------------------------------------------------------------------------

Factory = Callable[[int], Driver]
WARMUP_INSTANCES = 2


def batch_rate(make: Factory, instances: int, rounds: int) -> tuple[float, float]:
    """Instances per second over one batch, and this process's CPU seconds per instance (all its
    threads); creating each instance is timed too."""
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(instances):
        run_to_end(make(i), rounds)
    return instances / (time.perf_counter() - started), (time.process_time() - cpu) / instances


def interleaved_rates(variants: dict[str, Factory], instances: int, rounds: int,
                      repeats: int) -> dict[str, tuple[float, float]]:
    """Median rate and median CPU per instance of `repeats` batches per variant, the variants taking
    turns batch by batch so that a passing load on the machine hits all of them alike; untimed warm-up
    instances first."""
    for make in variants.values():
        for i in range(WARMUP_INSTANCES):
            run_to_end(make(-1 - i), rounds)
    rates: dict[str, list[float]] = {name: [] for name in variants}
    cpus: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, make in variants.items():
            rate, cpu = batch_rate(make, instances, rounds)
            rates[name].append(rate)
            cpus[name].append(cpu)
    return {name: (statistics.median(rates[name]), statistics.median(cpus[name])) for name in variants}


def raw_factory(spec: RawSpec, round_trip: bool) -> Factory:
    serializer = standard_serializer() if round_trip else None
    return lambda i: RawDriver(spec, f"Document {i}", serializer)


def casedesk_factory(app: Casedesk) -> Factory:
    return lambda i: CasedeskDriver(app, f"Document {i}")


def two_worker_factory(apps: tuple[Casedesk, Casedesk]) -> Factory:
    return lambda i: TwoWorkerDriver(apps, f"Document {i}")


@dataclass
class Throughput:
    raw: float
    raw_serialized: float
    sqlite: float
    postgres: float | None
    sqlite_two_workers: float
    postgres_note: str = ""
    # Statements sent by one start and by one completion, per database (load-independent evidence).
    statements: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Round trips (BEGIN and COMMIT included) of one completion on PostgreSQL.
    round_trips: int | None = None
    # This process's CPU seconds per instance, by variant (PostgreSQL's server CPU not included).
    cpu: dict[str, float] = field(default_factory=dict)


def count_statements(app: Casedesk) -> tuple[int, int]:
    """Statements of one start and of one completion of a warm instance (BEGIN and COMMIT come on top)."""
    seen: list[str] = []

    def record(*_: object) -> None:
        seen.append("")

    driver = CasedeskDriver(app, "Counted document")  # the version is loaded, the instance warm
    event.listen(app.db.engine, "before_cursor_execute", record)
    try:
        CasedeskDriver(app, "Counted start")
        start = len(seen)
        seen.clear()
        driver.step(form_data("draft", 0, rounds=1))
        return start, len(seen)
    finally:
        event.remove(app.db.engine, "before_cursor_execute", record)


def count_round_trips(app: Casedesk) -> int:
    """Round trips of one completion of a warm instance on PostgreSQL, BEGIN and COMMIT included."""
    driver = CasedeskDriver(app, "Traced document")
    with round_trips(app) as counted:
        driver.step(form_data("draft", 0, rounds=1))
    return counted[0]


def print_throughput(result: Throughput, plan: Plan) -> None:
    print(f"\nThroughput: batches of {plan.instances} instances, {plan.rounds} send-back round(s) + approval "
          f"= {2 * (plan.rounds + 1)} user tasks per instance;\n  median of {plan.repeats} batches per variant, "
          f"variants taking turns, after {WARMUP_INSTANCES} warm-up instances each")
    rows: list[tuple[str, float | None, str]] = [
        ("(a) raw SpiffWorkflow, in memory", result.raw, "1.00"),
        ("(b) raw + serializer round-trip per step", result.raw_serialized,
         f"{result.raw_serialized / result.raw:.3f}"),
        ("(c) casedesk runtime, SQLite file", result.sqlite, f"{result.sqlite / result.raw:.3f}"),
        ("(d) casedesk runtime, PostgreSQL", result.postgres,
         f"{result.postgres / result.raw:.3f}" if result.postgres is not None else "-"),
        ("(e) as (c), steps on two workers in turn", result.sqlite_two_workers,
         f"{result.sqlite_two_workers / result.raw:.3f}"),
    ]
    print(f"  {'variant':<44} {'instances/s':>12} {'ratio to (a)':>13}")
    for label, rate, ratio in rows:
        shown = f"{rate:12.1f}" if rate is not None else f"{'skipped':>12}"
        print(f"  {label:<44} {shown} {ratio:>13}")
    if result.postgres_note:
        print(f"  (d) {result.postgres_note}")
    print(f"  (e) every step loads the state the other worker stored: (e)/(c) = "
          f"{result.sqlite_two_workers / result.sqlite:.3f}")
    for variant, (start, completion) in result.statements.items():
        print(f"  ({variant}) statements: {start} per start, {completion} per completion (+ BEGIN and COMMIT)")
    if result.round_trips is not None:
        print(f"  (d) round trips: {result.round_trips} per completion, BEGIN and COMMIT included")
    if result.cpu:
        # Wall-clock ratios swing with whatever else the machine runs; CPU per instance much less.
        shown = ", ".join(f"({name}) {seconds * 1000:.2f}" for name, seconds in result.cpu.items())
        print(f"  CPU of this process per instance, ms: {shown} (the benchmark's threads; not the PostgreSQL "
              "server's)")
    ratio = result.sqlite / result.raw
    verdict = "MET" if ratio >= GOAL_THROUGHPUT else "NOT MET"
    print(f"  goal (c)/(a) >= {GOAL_THROUGHPUT}: {ratio:.3f} -> {verdict}")
    if result.postgres is not None:
        ratio = result.postgres / result.raw
        verdict = "MET" if ratio >= GOAL_POSTGRES_THROUGHPUT else "NOT MET"
        print(f"  goal (d)/(a) >= {GOAL_POSTGRES_THROUGHPUT}: {ratio:.3f} -> {verdict}")


# -- step cost by age ---------------------------------------------------------------------------

@dataclass
class AgeProfile:
    """Seconds of every user step of one or more instances, keyed by the instance's age just before it."""
    samples: list[tuple[int, float]] = field(default_factory=list)
    failed_at: int | None = None
    note: str = ""

    def point(self, target: int, count: int) -> tuple[float, int, int] | None:
        """Median seconds of the `count` steps nearest to age `target`, and the ages they span;
        None unless the instances got past `target` (a window entirely below it is no measurement)."""
        if not any(age >= target for age, _ in self.samples):
            return None
        nearest = sorted(self.samples, key=lambda s: (abs(s[0] - target), s[0]))[:count]
        ages = [age for age, _ in nearest]
        return statistics.median(secs for _, secs in nearest), min(ages), max(ages)


def failure_note(name: str, driver: Driver, age: int, error: str) -> str:
    if error:
        return f"{name}: fails at age {age} ({error})"
    if isinstance(driver, RawDriver):
        age = driver.age()
        if driver.hidden_unfinished():
            return f"{name}: fails at age {age} ({DEPTH_LIMIT_NOTE})"
    return f"{name}: fails at age {age} (no ready user task although the review sent the document back)"


def user_task_at(age: int) -> str:
    """The ready user task of a send-back loop at `age`: draft at 2, 5, 8, ..., review at 3, 6, 9, ..."""
    return "draft" if (age - START_AGE) % 3 == 0 else "review"


def profile_ages(name: str, drivers: Sequence[Driver], max_age: int) -> AgeProfile:
    """Send back over and over, timing every user step, until `max_age` or until no task is ready.

    The instances of one kind are stepped in lockstep, one step each in turn. Kinds are profiled
    one after the other so that neither's heap (and garbage collection) weighs on the other's steps."""
    profile = AgeProfile()
    age = START_AGE
    gc.collect()
    while age <= max_age:
        expected = user_task_at(age)
        for driver in drivers:
            error = ""
            if driver.next_task() == expected:
                try:
                    profile.samples.append((age, driver.step(form_data(expected, 0, rounds=10**9))))
                    continue
                except Exception as exc:  # noqa: BLE001 - report the failure, keep the other numbers
                    error = f"{type(exc).__name__}: {exc}"
            profile.failed_at = age
            profile.note = failure_note(name, driver, age, error)
            return profile
        age += AGE_GAIN[expected]
    return profile


def fallback_age(profile: AgeProfile, margin: int = 20) -> int | None:
    """The largest multiple of 100 that a failing kind still passes with room for a whole window."""
    if profile.failed_at is None or profile.failed_at - margin < 100:
        return None
    return (profile.failed_at - margin) // 100 * 100


def ms(seconds: float | None) -> str:
    return f"{seconds * 1000:9.3f}" if seconds is not None else f"{'-':>9}"


@dataclass
class AgeRow:
    age: int
    raw: tuple[float, int, int] | None
    casedesk: tuple[float, int, int] | None

    @property
    def overhead(self) -> float | None:
        return self.casedesk[0] - self.raw[0] if self.raw and self.casedesk else None


def span(point: tuple[float, int, int] | None) -> str:
    return f"{point[1]}-{point[2]}" if point else "-"


def print_age_table(rows: list[AgeRow], count: int, per_kind: int, notes: Sequence[str]) -> None:
    print(f"\nStep cost by age: median of the {count} user steps nearest each age, consecutive steps of "
          f"{per_kind} instance(s) per kind\n  sent back round after round (raw first, then casedesk); "
          "raw = task.run() + do_engine_steps() in memory,\n  casedesk = one complete_task on SQLite; "
          "age = completed tasks of the instance before the step")
    print(f"  {'age':>6} {'raw ms':>9} {'(ages)':>9} {'casedesk ms':>11} {'(ages)':>11} {'overhead ms':>11}")
    for row in rows:
        raw_cell = ms(row.raw[0]) if row.raw else f"{'fails':>9}"
        print(f"  {row.age:>6} {raw_cell} {span(row.raw):>9} {ms(row.casedesk[0] if row.casedesk else None):>11} "
              f"{span(row.casedesk):>11} {ms(row.overhead):>11}")
    for note in notes:
        if note:
            print(f"  {note}")


def growth_line(label: str, low: float, high: float) -> str:
    change = f"x{high / low:.2f}" if low > 0 and high > 0 else "no growth factor (not positive at both ages)"
    return f"  {label:<19}{ms(low).strip():>8} ms -> {ms(high).strip():>8} ms   {change}"


def overhead_grows_slower(low: AgeRow, high: AgeRow) -> bool:
    """The goal's test: overhead(hi)/overhead(lo) <= raw(hi)/raw(lo); an overhead that does not
    rise at all (including one that turns negative) meets it."""
    assert low.raw and high.raw and low.overhead is not None and high.overhead is not None
    if high.overhead <= max(low.overhead, 0.0):
        return True
    if low.overhead <= 0:
        return False
    return high.overhead / low.overhead <= high.raw[0] / low.raw[0]


def print_growth(rows: list[AgeRow]) -> None:
    goal = "casedesk's per-step overhead must not grow faster with age than raw's own step cost"
    both = [row for row in rows if row.overhead is not None]
    if len(both) < 2:
        print(f"\n  goal: {goal}: NOT MET (fewer than two ages measured for both, cannot be judged)")
        return
    low, high = both[0], both[-1]
    assert low.raw and high.raw and low.casedesk and high.casedesk
    print(f"\nGrowth from age {low.age} to age {high.age} (the highest age both reach):")
    print(growth_line("raw step:", low.raw[0], high.raw[0]))
    print(growth_line("casedesk overhead:", low.overhead or 0.0, high.overhead or 0.0))
    if high.overhead is not None and high.overhead < 0:
        print(f"  (at age {high.age} one casedesk step is cheaper than one raw step: casedesk's tree stays "
              "compact, raw's grows)")
    last = max((row for row in rows if row.casedesk), key=lambda row: row.age)
    print(growth_line("casedesk step:", low.casedesk[0], high.casedesk[0]))
    if last.age != high.age and last.casedesk:
        print(growth_line(f"  ... to age {last.age}:", low.casedesk[0], last.casedesk[0]))
    verdict = "MET" if overhead_grows_slower(low, high) else "NOT MET"
    print(f"  goal: {goal}: {verdict}")


def age_rows(raw: AgeProfile, casedesk: AgeProfile, ages: Sequence[int], count: int) -> list[AgeRow]:
    return [AgeRow(age, raw.point(age, count), casedesk.point(age, count)) for age in sorted(set(ages))]


def step_cost_by_age(spec: RawSpec, app: Casedesk, targets: Sequence[int], count: int, per_kind: int) -> None:
    max_age = max(targets) + 3 * count // per_kind + 3
    raw = profile_ages("raw", [RawDriver(spec, f"Aging document {i}") for i in range(per_kind)], max_age)
    casedesk = profile_ages("casedesk", [CasedeskDriver(app, f"Aging document {i}") for i in range(per_kind)],
                            max_age)
    hi = fallback_age(raw)
    ages = [*targets, *([hi] if hi is not None and hi < max(targets) else [])]
    print_age_table(age_rows(raw, casedesk, ages, count), count, per_kind, [raw.note, casedesk.note])
    print_growth(age_rows(raw, casedesk, ages, count))


# -- main ---------------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None) -> Plan:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=None, help="instances per throughput variant (30)")
    parser.add_argument("--rounds", type=int, default=None, help="send-back rounds per instance (3)")
    parser.add_argument("--repeats", type=int, default=None, help="timed batches per throughput variant (5)")
    parser.add_argument("--postgres-url", default=os.environ.get("CASEDESK_TEST_POSTGRES_URL", DEFAULT_PG),
                        help="server to create a throwaway database on (CASEDESK_TEST_POSTGRES_URL)")
    parser.add_argument("--quick", action="store_true",
                        help="fast smoke run: 4 instances, 1 round, 3 batches, one instance per kind for the ages")
    args = parser.parse_args(argv)

    def quick_or(quick: int, full: int) -> int:
        return quick if args.quick else full

    return Plan(
        instances=args.instances if args.instances is not None else quick_or(4, 30),
        rounds=args.rounds if args.rounds is not None else quick_or(1, 3),
        ages=(10, 100, 1000),
        per_point=quick_or(8, 20),
        per_kind=quick_or(1, 4),
        repeats=args.repeats if args.repeats is not None else quick_or(3, 5),
        quick=args.quick,
        postgres_url=args.postgres_url,
    )


def measure_throughput(plan: Plan, spec: RawSpec, app: Casedesk) -> Throughput:
    with postgres_casedesk(plan.postgres_url) as (pg_app, pg_note), closing(second_worker(app)) as other:
        variants = {"a": raw_factory(spec, round_trip=False), "b": raw_factory(spec, round_trip=True),
                    "c": casedesk_factory(app), "e": two_worker_factory((app, other))}
        if pg_app is not None:
            variants["d"] = casedesk_factory(pg_app)
        measured = interleaved_rates(variants, plan.instances, plan.rounds, plan.repeats)
        statements = {"c": count_statements(app), **({"d": count_statements(pg_app)} if pg_app is not None else {})}
        trips = count_round_trips(pg_app) if pg_app is not None else None
    rates = {name: rate for name, (rate, _) in measured.items()}
    return Throughput(rates["a"], rates["b"], rates["c"], rates.get("d"), rates["e"], pg_note, statements, trips,
                      {name: cpu for name, (_, cpu) in measured.items()})


def main(argv: Sequence[str] | None = None) -> int:
    plan = parse_args(argv)
    started = time.perf_counter()
    print(f"casedesk engine benchmark: {BPMN_FILE.relative_to(ROOT)}, python {sys.version.split()[0]}"
          f"{', quick smoke run' if plan.quick else ''}")
    spec = parse_raw_spec()
    with sqlite_url() as url:
        app = open_casedesk(url)
        try:
            print_throughput(measure_throughput(plan, spec, app), plan)
            step_cost_by_age(spec, app, plan.ages, plan.per_point, plan.per_kind)
            print_sandbox_cost(app, plan.instances, plan.rounds, plan.repeats)
        finally:
            app.close()
    print(f"\ntotal time {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
