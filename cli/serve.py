"""`casedesk serve`: the web server and one job worker side by side, supervised: a dead one is restarted."""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from engine.bootstrap import Casedesk
from engine.errors import InvalidInput


# Chosen with `bench/http.py --compare` (README, "Serving: web workers and threads"): a completion spends
# much of its time waiting on PostgreSQL (round trips, the commit's WAL flush); threads overlap those
# waits, where sync workers leave a core idle. One process keeps every step of an instance on its warm
# workflow cache (with two, the next person's step often lands on the other worker and reloads the state);
# on two cores shared with PostgreSQL that gave the lower p99 at 64 clients. More cores: raise the workers.
DEFAULT_WEB_WORKERS = 1
DEFAULT_WEB_THREADS = 8


def web_workers_and_threads(workers: int | None, threads: int | None,
                            environ: Mapping[str, str] = os.environ) -> tuple[int, int]:
    """The command line's counts, else CASEDESK_WEB_WORKERS / CASEDESK_WEB_THREADS, else the measured defaults."""
    def pick(given: int | None, name: str, default: int) -> int:
        value = given if given is not None else int(environ.get(name) or default)
        if value < 1:
            raise InvalidInput(f"{name.removeprefix('CASEDESK_').lower().replace('_', ' ')} must be at least 1")
        return value
    return (pick(workers, "CASEDESK_WEB_WORKERS", DEFAULT_WEB_WORKERS),
            pick(threads, "CASEDESK_WEB_THREADS", DEFAULT_WEB_THREADS))


def gunicorn_command(bind: str, web_workers: int, web_threads: int = 1) -> list[str]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # More than one thread means gunicorn's gthread workers: a worker serves other requests while one
    # waits on the database; one thread keeps the plain sync worker.
    model = ["--worker-class", "gthread", "--threads", str(web_threads)] if web_threads > 1 else []
    return [str(gunicorn), "--bind", bind, "--workers", str(web_workers), *model, "--access-logfile", "-",
            "web.serving:served_app()"]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "cli.main", "worker"]


RESTART_DELAYS = (0.5, 1, 2, 5, 10, 30)  # seconds before restarting a child that keeps dying early
STABLE_SECONDS = 60.0                    # a child that ran this long starts over at the first delay


@dataclass
class Supervised:
    """One child of `serve`: restarted whenever it dies, later each time it dies young."""

    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None

    def start(self) -> None:
        self.process, self.started_at, self.restart_at = subprocess.Popen(self.command), time.monotonic(), None

    def check(self, now: float) -> None:
        """Restart the child when it is due; notice (and log) that it died."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                _log(f"restarting the {self.name}")
                self.start()
            return
        if self.process is None or self.process.poll() is None:
            return
        lived = now - self.started_at
        self.quick_deaths = 0 if lived >= STABLE_SECONDS else self.quick_deaths + 1
        delay = RESTART_DELAYS[min(self.quick_deaths, len(RESTART_DELAYS) - 1)]
        _log(f"the {self.name} exited ({_how(self.process.returncode)}) after {lived:.0f} s; "
             f"restarting it in {delay:g} s")
        self.restart_at = now + delay

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def wait(self) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _how(returncode: int) -> str:
    return f"killed by signal {-returncode}" if returncode < 0 else f"exit status {returncode}"


def _log(message: str) -> None:
    print(f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} casedesk serve: {message}", file=sys.stderr, flush=True)


def cmd_serve(app: Casedesk, args: argparse.Namespace) -> int:
    """Run gunicorn (which restarts its own web workers) and one job worker; restart either when it dies,
    so one crash never takes the service down; SIGTERM or Ctrl-C stops both."""
    app.close()  # the children open their own connections
    workers, threads = web_workers_and_threads(args.web_workers, getattr(args, "web_threads", None))
    children = [Supervised("web server", gunicorn_command(args.bind or app.settings.bind, workers, threads)),
                Supervised("worker", worker_command())]
    stopping = False

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    for child in children:
        child.start()
    while not stopping:
        for child in children:
            child.check(time.monotonic())
        time.sleep(0.2)
    for child in children:
        child.stop()
    for child in children:
        child.wait()
    return 0
