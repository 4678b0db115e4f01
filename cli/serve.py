"""`casedesk serve`: the web server and one job worker side by side, started and stopped together."""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from engine.bootstrap import Casedesk


def gunicorn_command(bind: str, web_workers: int) -> list[str]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return [str(gunicorn), "--bind", bind, "--workers", str(web_workers), "--access-logfile", "-",
            "web.app:create_app()"]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "cli.main", "worker"]


def cmd_serve(app: Casedesk, args: argparse.Namespace) -> int:
    app.close()  # the children open their own connections
    names = ["web server", "worker"]
    children = [subprocess.Popen(gunicorn_command(args.bind or app.settings.bind, args.web_workers)),
                subprocess.Popen(worker_command())]
    stopping = False

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    # If either child dies the pair is incomplete (no timers, or no web): stop both and say so.
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
    if stopping:
        return 0
    exited = [name for name, child in zip(names, children) if child.returncode not in (-signal.SIGTERM,)]
    print(f"casedesk serve: the {' and '.join(exited)} exited; stopped the other too", file=sys.stderr)
    return 1
