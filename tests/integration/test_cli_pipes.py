"""`casedesk … | head`: a command whose reader stops early ends quietly, as any Unix tool does."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from engine.bootstrap import Casedesk
from engine.config import PROJECT_ROOT


def run_into_closed_pipe(*argv: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI with its stdout a pipe whose reader has already gone (what `| head` leaves behind)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "cli.main", *argv], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, cwd=PROJECT_ROOT, timeout=120,
                              env={**os.environ, "CASEDESK_DATABASE_URL": database_url})
    finally:
        os.close(write_end)


@pytest.mark.parametrize("argv", [("export", "document_review", "{tmp}"), ("instances",), ("--help",)],
                         ids=["export", "instances", "help"])
def test_output_into_a_reader_that_closed_early_ends_without_a_traceback(
        app: Casedesk, database_url: str, tmp_path: Path, argv: tuple[str, ...]) -> None:
    done = run_into_closed_pipe(*(a.format(tmp=tmp_path / "out") for a in argv), database_url=database_url)
    assert done.stderr == ""  # no traceback, no "Exception ignored … BrokenPipeError"
    assert done.returncode in (0, 128 + signal.SIGPIPE)  # argparse's --help swallows the error itself: 0
