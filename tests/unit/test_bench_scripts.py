"""`make bench` runs each benchmark as a file (`python bench/engine.py`): each must start that way."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = ["engine.py", "timers.py", "replay.py", "http.py"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_starts_when_run_as_a_file(script: str) -> None:
    # bench/engine.py once shadowed the engine package and every benchmark died on import.
    done = subprocess.run([sys.executable, str(BENCH / script), "--help"], capture_output=True, text=True,
                          timeout=60, cwd=BENCH.parent)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout
