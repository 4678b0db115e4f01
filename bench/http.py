"""The user's boundary: `casedesk serve` over HTTP, on PostgreSQL and SQLite, with 1, 8 and 64 clients.

Deploys the document review loop (a user task with a JSON Schema form, a review, a gateway back), then
reports in one run, per database:
- starts/s and completions/s with 1, 8 and 64 concurrent clients (p50/p95/p99 latency, errors);
- completion latency at instance ages 10, 100 and 1,000 completed tasks;
- bytes stored per round (state + event log of one instance, between ages 100 and 1,000).
Goals (issue 14): latency at age 1,000 <= 1.5 x age 10; 64 clients >= 3 x the 1-client completion rate
with p99 < 250 ms and no errors. Figures are ratios measured in the same run, never assertions.

    python bench/http.py [--quick] [--postgres URL | --no-postgres] [--web-workers N] [--web-threads T] [--seconds S]
    python bench/http.py --compare 2x1,2x4,4x1 [--no-sqlite] [--seconds S]   # choose the gunicorn model
"""
from __future__ import annotations

import sys
from pathlib import Path

# This file is named after what it measures; its folder must not shadow the standard library's `http`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any, Iterator  # noqa: E402

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.cpu_meter import CpuMeter  # noqa: E402
from cli.serve import web_workers_and_threads  # noqa: E402
from engine.bootstrap import bootstrap  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.definitions.service import collect_files  # noqa: E402
from engine.persistence import normalise_url  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "bench-password-1"
CLIENTS = (1, 8, 64)
AGES = (10, 100, 1000)
P99_GOAL = 0.250  # seconds, at 64 clients


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, ok: bool) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.errors += 0 if ok else 1


class Client:
    """One keep-alive HTTP connection with a bearer token."""

    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any, float]:
        started = time.perf_counter()
        try:
            response = self._send(method, path, body)
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed this idle keep-alive connection (gthread does after --keep-alive seconds)
            # before reading the request: send it again on a new connection, as browsers do.
            self.conn.close()
            response = self._send(method, path, body)
        payload = response.read()
        elapsed = time.perf_counter() - started
        return response.status, json.loads(payload) if payload else None, elapsed


    def _send(self, method: str, path: str, body: Any) -> http.client.HTTPResponse:
        self.conn.request(method, path, json.dumps(body) if body is not None else None, self.headers)
        return self.conn.getresponse()


def token(port: int, user: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/api/v1/auth/tokens", json.dumps({"username": user, "password": PASSWORD}),
                 {"Content-Type": "application/json"})
    response = conn.getresponse()
    body = json.loads(response.read())
    if response.status != 201:
        raise RuntimeError(f"no token for {user}: {response.status} {body}")
    return str(body["token"])


class Review:
    """One document review instance worked over HTTP by alice (draft) and rita (send back)."""

    def __init__(self, port: int, tokens: dict[str, str]):
        self.clients = {user: Client(port, t) for user, t in tokens.items()}
        self.instance_id = ""
        self.ready: dict[str, Any] | None = None

    def start(self) -> tuple[bool, float]:
        status, body, elapsed = self.clients["alice"].call(
            "POST", "/api/v1/processes/document_review/instances", {"data": {"title": "bench"}})
        if status == 201:
            self.instance_id, self.ready = body["id"], (body["ready_tasks"] or [None])[0]
        return status == 201, elapsed

    def complete(self) -> tuple[bool, float]:
        task = self.ready
        if task is None:
            return False, 0.0
        user, data = (("alice", {"body": "text"}) if task["task_spec"] == "draft"
                      else ("rita", {"decision": "send_back"}))
        status, body, elapsed = self.clients[user].call("POST", f"/api/v1/tasks/{task['id']}/complete",
                                                        {"data": data})
        if status == 200:
            self.ready = (body["ready_tasks"] or [None])[0]
        return status == 200, elapsed


def run_clients(count: int, seconds: float, work: Any,
                meter: "CpuMeter | None" = None) -> tuple[Tally, float, dict[str, float]]:
    """`count` clients doing `work` for `seconds` after all of them are set up (an instance to complete,
    say); returns the tally, the elapsed time and, with a meter, the CPU seconds used meanwhile per part."""
    tally, window = Tally(), {}
    ready, go = threading.Barrier(count + 1), threading.Barrier(count + 1)

    def loop(index: int) -> None:
        state = work.setup(index)
        ready.wait()
        go.wait()
        while time.perf_counter() < window["deadline"]:
            started = time.perf_counter()
            try:
                ok, elapsed = work.once(state)
            except (OSError, http.client.HTTPException):  # a dropped connection is an error, not a lost client
                ok, elapsed = False, time.perf_counter() - started
            tally.add(elapsed, ok)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    ready.wait()
    before = meter.snapshot() if meter else None
    started = time.perf_counter()
    window["deadline"] = started + seconds
    go.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    used = CpuMeter.used(before, meter.snapshot()) if meter and before else {}
    return tally, elapsed, used


class Starts:
    def __init__(self, port: int, tokens: dict[str, str]):
        self.port, self.tokens = port, tokens

    def setup(self, _index: int) -> Review:
        return Review(self.port, self.tokens)

    def once(self, review: Review) -> tuple[bool, float]:
        return review.start()


class Completions(Starts):
    def setup(self, _index: int) -> Review:
        review = Review(self.port, self.tokens)
        review.start()
        return review

    def once(self, review: Review) -> tuple[bool, float]:
        return review.complete()


def cpu_line(label: str, used: dict[str, float], done: int, elapsed: float, what: str = "completion") -> float:
    """Print CPU per operation by part; returns the total CPU seconds per operation."""
    total = sum(used.values())
    per = total / max(done, 1)
    parts = ", ".join(f"{part} {seconds / max(done, 1) * 1000:.1f}" for part, seconds in used.items())
    print(f"  {label:<22} CPU {per * 1000:6.1f} ms per {what} ({parts}); {total / elapsed:.2f} cores busy")
    return per


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def line(label: str, tally: Tally, elapsed: float) -> tuple[float, float]:
    """Print one row; returns (operations per second, p99 in ms)."""
    rate = len(tally.latencies) / elapsed
    p50, p95, p99 = (percentile(tally.latencies, p) * 1000 for p in (50, 95, 99))
    print(f"  {label:<22} {rate:8.1f}/s   p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms"
          f"   errors {tally.errors}")
    return rate, p99


def stored_bytes(url: str, instance_id: str) -> int:
    engine = create_engine(normalise_url(url))
    with engine.connect() as conn:
        state = conn.execute(text("SELECT length(state) FROM process_instance WHERE id = :i"),
                             {"i": instance_id}).scalar() or 0
        events = conn.execute(text(
            "SELECT coalesce(sum(length(payload) + length(hash) + length(prev_hash) + 64), 0) "
            "FROM instance_event WHERE instance_id = :i"), {"i": instance_id}).scalar() or 0
        summary = conn.execute(text("SELECT coalesce(sum(length(data) + length(completed)), 0) "
                                    "FROM instance_summary WHERE instance_id = :i"), {"i": instance_id}).scalar()
    engine.dispose()
    return int(state) + int(events) + int(summary or 0)


def age_profile(port: int, tokens: dict[str, str], url: str, samples: int) -> dict[int, float]:
    """Median completion latency at each age, and bytes per round between the last two ages."""
    review, medians, sizes = Review(port, tokens), {}, {}
    review.start()
    done = 0
    for age in AGES:
        while done < age:
            ok, _ = review.complete()
            if not ok:
                raise RuntimeError(f"completion failed at age {done}")
            done += 1
        sizes[age] = stored_bytes(url, review.instance_id)
        timings = []
        for _ in range(samples):
            ok, elapsed = review.complete()
            timings.append(elapsed)
        done += samples
        sizes[age + samples] = stored_bytes(url, review.instance_id)
        medians[age] = statistics.median(timings)
    low, high = AGES[-2], AGES[-1]
    per_round = (sizes[high] - sizes[low + samples]) / ((high - low - samples) / 2)
    for age in AGES:
        print(f"  completion at age {age:>5}: median {medians[age] * 1000:6.1f} ms ({samples} samples)")
    print(f"  bytes stored per round (draft + review) between ages {low} and {high}: {per_round:,.0f}")
    return medians


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database(kind: str, pg_url: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    name = f"casedesk_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(pg_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalise_url(pg_url)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@contextmanager
def server(url: str, web_workers: int, web_threads: int = 1) -> Iterator[tuple[int, int]]:
    """`casedesk serve` on a fresh port; yields (port, the serve process's pid)."""
    app = bootstrap(Settings(database_url=url))
    app.definitions.deploy(collect_files(ROOT / "processes" / "demo", ROOT / "forms"), "bench")
    for user, group in (("alice", "clerk"), ("rita", "reviewer")):
        app.users.add_user(user, PASSWORD, [group])
    app.close()
    port = free_port()
    env = {**os.environ, "CASEDESK_DATABASE_URL": url, "CASEDESK_SECRET_KEY": uuid.uuid4().hex}
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--bind", f"127.0.0.1:{port}",
                                "--web-workers", str(web_workers), "--web-threads", str(web_threads)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # gunicorn listens before its workers have booted (seconds each on a loaded machine): wait for an
        # answer, not for the port, or the first measurement includes the boot.
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    break
            except (OSError, http.client.HTTPException):
                time.sleep(0.2)
            finally:
                probe.close()
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def measure(kind: str, url: str, args: argparse.Namespace) -> None:
    print(f"\n== {kind}: casedesk serve, {args.web_workers} web workers x {args.web_threads} threads ==")
    with server(url, args.web_workers, args.web_threads) as (port, pid):
        meter = CpuMeter(pid, url)
        tokens = {user: token(port, user) for user in ("alice", "rita")}
        rates: dict[int, tuple[float, float, int]] = {}
        cpu: dict[int, tuple[float, dict[str, float]]] = {}
        for count in CLIENTS:
            tally, elapsed, used = run_clients(count, args.seconds, Starts(port, tokens), meter)
            line(f"starts, {count} clients", tally, elapsed)
            cpu_line(f"  CPU, {count} clients", used, len(tally.latencies), elapsed, "start")
            tally, elapsed, used = run_clients(count, args.seconds, Completions(port, tokens), meter)
            rate, p99 = line(f"completions, {count} clients", tally, elapsed)
            per = cpu_line(f"  CPU, {count} clients", used, len(tally.latencies), elapsed)
            rates[count], cpu[count] = (rate, p99, tally.errors), (per, used)
        meter.close()
        medians = age_profile(port, tokens, url, args.samples)
    age_ratio = medians[AGES[-1]] / medians[AGES[0]]
    scale = rates[64][0] / rates[1][0]
    print(f"  age 1,000 / age 10 latency: {age_ratio:.2f} (goal <= 1.5: {'MET' if age_ratio <= 1.5 else 'NOT MET'})")
    met = scale >= 3 and rates[64][1] < P99_GOAL * 1000 and rates[64][2] == 0
    print(f"  64 clients / 1 client completions: {scale:.2f}, p99 {rates[64][1]:.0f} ms, errors "
          f"{rates[64][2]} (goal >= 3, p99 < 250 ms, no errors: {'MET' if met else 'NOT MET'})")
    ceiling(rates[1][0], *cpu[1], len(os.sched_getaffinity(0)))


def ceiling(rate1: float, per: float, used: dict[str, float], cores: int) -> None:
    """What the cores allow at all: every completion costs `per` CPU seconds somewhere (web worker,
    PostgreSQL backend, client), so no client count can go past cores / per; and 64 clients that each wait
    for their answer see a mean latency of 64 / throughput (Little's law), so p99 < 250 ms needs over
    64 / 0.25 = 256 completions/s."""
    total = sum(used.values()) or float("nan")
    server_per = per * (total - used.get("client", 0.0)) / total
    top, server_top = cores / per, cores / server_per
    need = max(3 * rate1, CLIENTS[-1] / P99_GOAL)
    print(f"  {cores}-core ceiling (CPU measured with 1 client): {cores} CPU-s / {per * 1000:.1f} ms = {top:.0f} "
          f"completions/s; {server_top:.0f}/s if the client ran elsewhere ({server_per * 1000:.1f} ms)")
    print(f"  the goal needs >= {need:.0f}/s (3 x {rate1:.1f}/s, and 64 / 0.25 s = 256/s for p99 < 250 ms): "
          f"{'within' if need <= top else 'BEYOND'} the ceiling here"
          f"{'' if need <= server_top else ', and beyond it even with the client elsewhere'}")


def compare_models(kind: str, url: str, models: list[tuple[int, int]], seconds: float) -> None:
    """Completions with 1 and 64 clients under each gunicorn model (workers x threads), in one run: the
    first model is the baseline the others' rates are divided by."""
    print(f"\n== {kind}: gunicorn models, completions, {seconds:g} s per measurement ==")
    print(f"  {'workers x threads':<18} {'1 client':>10} {'64 clients':>11} {'64/1':>6} {'p99 (64)':>10} "
          f"{'errors':>7} {'vs first':>9}")
    first = None
    for workers, threads in models:
        with server(url, workers, threads) as (port, _pid):
            tokens = {user: token(port, user) for user in ("alice", "rita")}
            one, one_elapsed, _ = run_clients(1, seconds, Completions(port, tokens))
            many, many_elapsed, _ = run_clients(64, seconds, Completions(port, tokens))
        rate1, rate64 = len(one.latencies) / one_elapsed, len(many.latencies) / many_elapsed
        first = first or rate64
        print(f"  {f'{workers} x {threads}':<18} {rate1:9.1f}/s {rate64:10.1f}/s {rate64 / rate1:6.2f} "
              f"{percentile(many.latencies, 99) * 1000:8.0f} ms {one.errors + many.errors:7d} {rate64 / first:8.2f}x")


def parse_models(text: str) -> list[tuple[int, int]]:
    """"2x1,2x4" -> [(2, 1), (2, 4)]."""
    models = []
    for item in text.split(","):
        workers, _, threads = item.strip().partition("x")
        models.append((int(workers), int(threads or 1)))
    return models


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("CASEDESK_TEST_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    workers, threads = web_workers_and_threads(None, None)  # what `casedesk serve` would run
    parser.add_argument("--web-workers", type=int, default=workers)
    parser.add_argument("--web-threads", type=int, default=threads)
    parser.add_argument("--compare", metavar="WxT,...", type=parse_models,
                        help="only compare gunicorn models (workers x threads), e.g. 2x1,2x4,4x1,4x4")
    parser.add_argument("--seconds", type=float, default=10.0, help="per client count and operation")
    parser.add_argument("--samples", type=int, default=20, help="completions timed at each age")
    parser.add_argument("--quick", action="store_true", help="3 s per measurement, 6 samples per age")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.samples = 3.0, 6
    kinds = [k for k, off in (("postgresql", args.no_postgres), ("sqlite", args.no_sqlite)) if not off]
    for kind in kinds:
        with database(kind, args.postgres) as url:
            if args.compare:
                compare_models(kind, url, args.compare, args.seconds)
            else:
                measure(kind, url, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
