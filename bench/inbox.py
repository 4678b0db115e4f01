"""Inbox, instance lists and tracker at scale: 100,000 instances and 1,000,000 events on PostgreSQL.

The data is bulk-loaded with COPY straight into the tables (not through the API: that would take hours),
shaped like a year of the case chain: most instances finished, a quarter running with a ready task in one
of a dozen groups, a fifth of the ready tasks claimed, due dates around now. Each read is the one the web
page and the API call (`ReadModel`, `ProgressService`), timed in process after a warm-up; the goal is a
p95 under 20 ms for each. `--explain` prints PostgreSQL's plan for the inbox and instance-list queries.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
# Run as a file, Python puts bench/ first on the path, where engine.py would shadow the engine package.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, ROOT / "bench")]

from sqlalchemy import text  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402

from bench.drivers import postgres_unreachable, throwaway_postgres  # noqa: E402
from casework.progress import ProgressService  # noqa: E402
from engine.access import Actor  # noqa: E402
from engine.bootstrap import Casedesk, bootstrap  # noqa: E402
from engine.clock import SystemClock  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.definitions.service import collect_files  # noqa: E402
from engine.runtime.readmodel import InboxQuery, InstanceQuery, inbox, list_instances  # noqa: E402
from web.views.tracker import TRACKER_PAGE  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
GOAL_P95_MS = 20.0
GROUPS = ["intake", "sales", "sales_head", "procurement", "procurement_head", "finance", "finance_head",
          "general", "general_head", "archivist", "clerk", "reviewer"]
STATUSES = ["completed"] * 70 + ["running"] * 25 + ["cancelled"] * 3 + ["failed"] * 2
PREFIXES = ["XS", "CG", "CW", "ZH"]
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def users() -> dict[str, str]:
    """Four staff per group (the first of each in our measurements), by name -> group."""
    return {f"{group}_{i}": group for group in GROUPS for i in range(4)}


# -- bulk load ----------------------------------------------------------------------------------

def _naive(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")


def _copy(raw: Any, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    """COPY rows into `table` in chunks; returns the row count."""
    count = 0
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def load(app: Casedesk, instances: int, events_per_instance: int, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    with app.db.engine.connect() as conn:
        definitions = [(row.id, row.key) for row in conn.execute(text(
            "SELECT id, key FROM process_definition WHERE executable"))]
    names = list(users())
    plan = []
    for n in range(instances):
        created = NOW - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        status = rng.choice(STATUSES)
        definition_id, key = rng.choice(definitions)
        business_key = f"{rng.choice(PREFIXES)}-{created.year}-{n:06d}" if rng.random() < 0.6 else None
        plan.append((str(uuid.UUID(int=rng.getrandbits(128))), definition_id, key, status, business_key,
                     rng.choice(names), created))
    raw = app.db.engine.raw_connection()
    try:
        driver = raw.driver_connection
        counts = {
            "process_instance": _copy(driver, "process_instance", [
                "id", "definition_id", "status", "business_key", "started_by", "state", "event_seq", "event_head",
                "lock_version", "created_at", "updated_at", "completed_at"], (
                (i, d, s, b, who, "{}", events_per_instance, "0" * 64, 1, _naive(c),
                 _naive(c + timedelta(hours=2)), _naive(c + timedelta(days=3)) if s != "running" else None)
                for i, d, _k, s, b, who, c in plan)),
            "instance_event": _copy(driver, "instance_event", [
                "instance_id", "seq", "at", "actor", "category", "type", "task_id", "task_spec", "payload",
                "prev_hash", "hash"], (
                (i, seq, _naive(c + timedelta(minutes=seq)), who, "effect", "task_done" if seq else "instance_started",
                 None, None, '{"delta": {"set": {}, "removed": []}}', "0" * 64, "0" * 64)
                for i, _d, _k, _s, _b, who, c in plan for seq in range(events_per_instance))),
            "instance_summary": _copy(driver, "instance_summary", ["instance_id", "data", "completed"], (
                (i, '{"title": "bench"}', "{}") for i, *_rest in plan)),
            "instance_participant": _copy(driver, "instance_participant", ["instance_id", "username"], (
                (i, who) for i, _d, _k, _s, _b, who, _c in plan)),
            "human_task": _copy(driver, "human_task", [
                "id", "instance_id", "process_key", "task_spec", "title", "candidate_group", "assignee",
                "form_file", "ui_form_file", "created_at", "due_at", "instructions", "definition_id"],
                _ready_tasks(plan, rng)),
        }
        driver.commit()
        # What autovacuum does on a live server soon after a load: statistics and the visibility map
        # (without the map, PostgreSQL cannot answer counts from an index alone).
        driver.autocommit = True
        with driver.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        driver.autocommit = False
    finally:
        raw.close()
    return counts


def _ready_tasks(plan: list[tuple[Any, ...]], rng: random.Random) -> Iterator[tuple[Any, ...]]:
    for i, definition_id, key, status, _b, _who, created in plan:
        if status != "running":
            continue
        group = rng.choice(GROUPS)
        assignee = f"{group}_{rng.randrange(4)}" if rng.random() < 0.2 else None
        ready_at = created + timedelta(hours=1)
        due = NOW + timedelta(hours=rng.randrange(-72, 24 * 14)) if rng.random() < 0.7 else None
        yield (str(uuid.UUID(int=rng.getrandbits(128))), i, key, "handle_case", "Handle the case", group, assignee,
               None, None, _naive(ready_at), _naive(due) if due else None, None, definition_id)


# -- measure ------------------------------------------------------------------------------------

def p95_ms(read: Callable[[], Any], repeats: int) -> tuple[float, float, int]:
    """(p50, p95) in ms over `repeats` timed reads after two untimed ones, and the rows of the last."""
    rows = read()
    read()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        rows = read()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], len(rows)


def reads(app: Casedesk) -> dict[str, Callable[[], Any]]:
    clerk = Actor("sales_0", frozenset({"sales", "staff"}))
    head = Actor("sales_head_0", frozenset({"sales_head", "staff"}))
    admin = Actor("root", frozenset({"admin"}))
    db = app.db
    progress = ProgressService(db, app.definitions.load)

    def in_session(function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        def read() -> Any:
            with db.unit_of_work(write=False) as session:
                return function(session, *args)
        return read

    return {
        "inbox, all my tasks (sort due)": in_session(inbox, clerk, InboxQuery(), NOW),
        "inbox, mine only": in_session(inbox, clerk, InboxQuery(scope="mine"), NOW),
        "inbox, my groups, newest first": in_session(inbox, clerk, InboxQuery(scope="groups", sort="newest"), NOW),
        "inbox, overdue only": in_session(inbox, head, InboxQuery(due="overdue"), NOW),
        "inbox, one process": in_session(inbox, clerk, InboxQuery(process="business_case"), NOW),
        "instances, administrator, newest": in_session(list_instances, admin, InstanceQuery()),
        "instances, status running": in_session(list_instances, admin, InstanceQuery(status="running")),
        "instances, status failed": in_session(list_instances, admin, InstanceQuery(status="failed")),
        "instances, one process": in_session(list_instances, admin, InstanceQuery(process="consultation")),
        "instances, case number fragment": in_session(list_instances, admin, InstanceQuery(case_number="000123")),
        "instances, one starter": in_session(list_instances, admin, InstanceQuery(starter="sales_1")),
        "instances, a clerk's own view": in_session(list_instances, clerk, InstanceQuery()),
        "tracker page: counts per stage": lambda: progress.workload(NOW).stages,
        "tracker page: 200 most urgent tasks": lambda: progress.open_cases(NOW, limit=TRACKER_PAGE),
    }


def explain(app: Casedesk) -> None:
    clerk = Actor("sales_0", frozenset({"sales", "staff"}))
    admin = Actor("root", frozenset({"admin"}))
    captured: list[Any] = []

    class Capture:
        def execute(self, statement: Any) -> list[Any]:
            captured.append(statement)
            return []

    inbox(Capture(), clerk, InboxQuery(), NOW)  # type: ignore[arg-type]
    list_instances(Capture(), admin, InstanceQuery(status="running"))  # type: ignore[arg-type]
    list_instances(Capture(), clerk, InstanceQuery())  # type: ignore[arg-type]
    with app.db.engine.connect() as conn:
        for statement in captured:
            compiled = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
            print(f"\nEXPLAIN ANALYZE {str(compiled).splitlines()[0][:100]} …")
            for (line,) in conn.execute(text(f"EXPLAIN ANALYZE {compiled}")):
                print("   ", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100_000, help="instances to load (100,000)")
    parser.add_argument("--events", type=int, default=10, help="events per instance (10: 1,000,000 in all)")
    parser.add_argument("--repeats", type=int, default=40, help="timed reads per query (40)")
    parser.add_argument("--postgres-url", default=DEFAULT_PG, help="server for the throwaway database")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the main queries")
    parser.add_argument("--quick", action="store_true", help="smoke run: 5,000 instances, 10 repeats")
    args = parser.parse_args(argv)
    if args.quick:
        args.instances, args.repeats = 5_000, 10
    reason = postgres_unreachable(args.postgres_url)
    if reason is not None:
        print(f"PostgreSQL at {args.postgres_url} is not reachable ({reason}): nothing measured")
        return 1
    with throwaway_postgres(args.postgres_url) as url:
        app = bootstrap(Settings(database_url=url), clock=SystemClock())
        app.definitions.deploy(collect_files(ROOT / "processes", ROOT / "forms"), "bench")
        started = time.perf_counter()
        counts = load(app, args.instances, args.events)
        print(f"casedesk inbox and list benchmark on PostgreSQL; loaded in {time.perf_counter() - started:.1f} s:")
        print("  " + ", ".join(f"{table} {count:,}" for table, count in counts.items()))
        print(f"\n  {'read':42} {'p50 ms':>8} {'p95 ms':>8} {'rows':>6}  goal p95 < {GOAL_P95_MS:.0f} ms")
        met = True
        for label, read in reads(app).items():
            p50, p95, rows = p95_ms(read, args.repeats)
            ok = p95 < GOAL_P95_MS
            met &= ok
            print(f"  {label:42} {p50:8.2f} {p95:8.2f} {rows:6}  {'MET' if ok else 'NOT MET'}")
        print(f"\n  every read p95 < {GOAL_P95_MS:.0f} ms: {'MET' if met else 'NOT MET'}")
        if args.explain:
            explain(app)
        app.db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
