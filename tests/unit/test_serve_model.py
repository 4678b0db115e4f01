"""`casedesk serve` picks gunicorn's worker model: measured defaults, CASEDESK_WEB_WORKERS/THREADS, or flags."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.serve import DEFAULT_WEB_THREADS, DEFAULT_WEB_WORKERS, gunicorn_command, web_workers_and_threads
from engine.config import PROJECT_ROOT
from engine.errors import InvalidInput


def test_without_settings_serve_uses_the_measured_threaded_default() -> None:
    assert web_workers_and_threads(None, None, environ={}) == (DEFAULT_WEB_WORKERS, DEFAULT_WEB_THREADS)
    command = gunicorn_command("127.0.0.1:8000", DEFAULT_WEB_WORKERS, DEFAULT_WEB_THREADS)
    assert command[command.index("--worker-class") + 1] == "gthread"
    assert command[command.index("--threads") + 1] == str(DEFAULT_WEB_THREADS)
    assert command[command.index("--workers") + 1] == str(DEFAULT_WEB_WORKERS)


def test_the_environment_sets_the_counts_and_flags_win_over_it() -> None:
    environ = {"CASEDESK_WEB_WORKERS": "3", "CASEDESK_WEB_THREADS": "4"}
    assert web_workers_and_threads(None, None, environ) == (3, 4)
    assert web_workers_and_threads(1, 2, environ) == (1, 2)


def test_one_thread_keeps_gunicorns_sync_worker() -> None:
    command = gunicorn_command("127.0.0.1:8000", 2, 1)
    assert "--worker-class" not in command and "--threads" not in command


@pytest.mark.parametrize("workers, threads", [(0, None), (None, 0)])
def test_a_count_below_one_is_refused(workers: int | None, threads: int | None) -> None:
    with pytest.raises(InvalidInput):
        web_workers_and_threads(workers, threads, environ={})


def test_a_served_worker_keeps_what_start_up_built_out_of_the_collectors_full_passes(tmp_path: Path) -> None:
    """gunicorn builds the app with `web.serving:served_app()`; the worker then freezes what it built, so a full
    collection behind a step walks the warm workflows, not every module and model again."""
    assert gunicorn_command("127.0.0.1:8000", 1, 8)[-1] == "web.serving:served_app()"
    code = "import gc; from web.serving import served_app; served_app(); print(gc.get_freeze_count())"
    env = {**os.environ, "CASEDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
           "CASEDESK_SECRET_KEY": "served-worker-test-key-0123456789"}
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip().splitlines()[-1]) > 10_000
