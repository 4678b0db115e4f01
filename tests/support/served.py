"""`casedesk serve` as `make run` starts it (gunicorn workers + job worker), on a throwaway database, no secret key set."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from casework.demo_org import seed_demo_org
from engine.bootstrap import bootstrap
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from tests.support.ports import free_port


@dataclass(frozen=True)
class Served:
    base_url: str
    secret_key_file: Path
    log: Path


def demo_database(url: str, password: str) -> None:
    """What `make run` prepares: the schema, every shipped process deployed and the demo organisation seeded."""
    app = bootstrap(Settings(database_url=url))
    app.definitions.deploy(collect_files(PROJECT_ROOT / "processes", PROJECT_ROOT / "forms"), "owen")
    seed_demo_org(app.db, app.clock, password)
    app.close()


@contextmanager
def served_casedesk(root: Path, password: str, web_workers: int = 2,
                    extra_env: dict[str, str] | None = None) -> Iterator[Served]:
    """The demo organisation on a fresh SQLite database, served by `casedesk serve --web-workers N`
    with CASEDESK_SECRET_KEY unset: the workers must agree on a key by themselves."""
    url = f"sqlite:///{root / 'casedesk.db'}"
    demo_database(url, password)
    key_file = root / "var" / "secret_key"
    bind = f"127.0.0.1:{free_port()}"
    env = {name: value for name, value in os.environ.items() if name != "CASEDESK_SECRET_KEY"}
    env.update(CASEDESK_DATABASE_URL=url, CASEDESK_SECRET_KEY_FILE=str(key_file), **(extra_env or {}))
    log_path = root / "serve.log"
    log = log_path.open("w")
    casedesk = Path(sys.executable).with_name("casedesk")
    process = subprocess.Popen([str(casedesk), "serve", "--bind", bind, "--web-workers", str(web_workers)],
                               cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{bind}"
    try:
        wait_until_healthy(base, process, log_path, 60)
        yield Served(base, key_file, log_path)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_until_healthy(base: str, process: subprocess.Popen, log_path: Path, seconds: float) -> None:
    """Poll `/healthz` until it answers 200; fail with the server's log if it dies or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server at {base} did not come up: {log_path.read_text()}")
            time.sleep(0.2)
