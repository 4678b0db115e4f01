"""`casedesk serve` picks gunicorn's worker model: measured defaults, CASEDESK_WEB_WORKERS/THREADS, or flags."""
from __future__ import annotations

import pytest

from cli.serve import DEFAULT_WEB_THREADS, DEFAULT_WEB_WORKERS, gunicorn_command, web_workers_and_threads
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
