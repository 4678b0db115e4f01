"""`casedesk serve` (what `make run` starts): the web server and one job worker, stopped together.

A process supervisor, not a database feature: it runs on SQLite only (the worker's PostgreSQL side
is covered by the worker and fault tests)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from engine.bootstrap import bootstrap
from engine.clock import SystemClock
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files

WAIT_FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "bpmn" / "timers"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_http_and_fires_due_timers_then_stops_both_on_sigterm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    app = bootstrap(Settings(database_url=url), clock=SystemClock())
    try:
        app.definitions.deploy(collect_files(WAIT_FIXTURE), "owen")
        app.users.add_user("alice", "correct-horse-1", ["clerk"])
        waiting = app.runtime.start_instance("wait_until", {"due": "2020-01-01T00:00:00Z"}, actor="alice")
    finally:
        app.close()
    port = free_port()
    serve = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--bind", f"127.0.0.1:{port}",
                              "--web-workers", "1"], cwd=PROJECT_ROOT, start_new_session=True,
                             env={**os.environ, "CASEDESK_DATABASE_URL": url, "CASEDESK_WORKER_POLL_SECONDS": "0.2"})
    try:
        health, deadline = None, time.monotonic() + 60
        while health is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    health = json.loads(response.read())
            except OSError:
                time.sleep(0.2)
        assert health is not None and health["status"] == "ok"

        app = bootstrap(Settings(database_url=url), clock=SystemClock(), run_migrations=False)
        try:
            while app.runtime.get_instance(waiting.id).status != "completed":
                assert time.monotonic() < deadline, "the worker beside the web server never fired the timer"
                time.sleep(0.2)
        finally:
            app.close()

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
        children = subprocess.run(["pgrep", "-s", str(serve.pid)], capture_output=True, text=True).stdout.split()
        assert children == []  # neither gunicorn nor the worker outlives `serve`
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)


def _worker_pids(serve: subprocess.Popen[bytes]) -> list[str]:
    found = subprocess.run(["pgrep", "-P", str(serve.pid), "-f", "cli.main worker"], capture_output=True, text=True)
    return found.stdout.split()


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return bool(json.loads(response.read())["status"] == "ok")
    except OSError:
        return False


def test_a_killed_worker_or_web_server_is_restarted_and_the_service_stays_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    bootstrap(Settings(database_url=url), clock=SystemClock()).close()
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as stderr:
        serve = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--bind", f"127.0.0.1:{port}",
                                  "--web-workers", "1"], cwd=PROJECT_ROOT, start_new_session=True, stderr=stderr,
                                 env={**os.environ, "CASEDESK_DATABASE_URL": url})
    try:
        deadline = time.monotonic() + 60
        while not (_healthy(port) and _worker_pids(serve)):
            assert time.monotonic() < deadline, "serve never came up"
            time.sleep(0.2)
        first = _worker_pids(serve)
        os.kill(int(first[0]), signal.SIGKILL)
        while not (_worker_pids(serve) and _worker_pids(serve) != first):
            assert serve.poll() is None, "serve stopped when its worker died"
            assert time.monotonic() < deadline, "the killed worker was not restarted"
            time.sleep(0.2)
        assert _healthy(port)

        gunicorn = subprocess.run(["pgrep", "-P", str(serve.pid), "-f", "gunicorn"], capture_output=True,
                                  text=True).stdout.split()
        os.kill(int(gunicorn[0]), signal.SIGKILL)
        deadline = time.monotonic() + 60
        time.sleep(1)
        while not _healthy(port):
            assert serve.poll() is None, "serve stopped when its web server died"
            assert time.monotonic() < deadline, "the killed web server was not restarted"
            time.sleep(0.2)
        text = log.read_text()
        assert "the worker exited (killed by signal 9)" in text and "restarting the worker" in text
        assert "the web server exited (killed by signal 9)" in text

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
        else:
            subprocess.run(["pkill", "-KILL", "-s", str(serve.pid)], capture_output=True)
