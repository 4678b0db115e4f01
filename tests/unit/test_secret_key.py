"""The shared session key: created once, private to its owner, the same for every reader."""
from __future__ import annotations

import os
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from web.secret_key import SecretKeyError, shared_secret_key


def test_the_first_caller_creates_a_private_key_and_later_callers_read_the_same(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret_key"
    first = shared_secret_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert shared_secret_key(path) == first and len(first) == 64


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    with ProcessPoolExecutor(max_workers=4) as pool:
        keys = set(pool.map(shared_secret_key, [path] * 8))
    assert keys == {path.read_text().strip()}
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary files left behind


def test_a_key_file_others_can_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    shared_secret_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(SecretKeyError, match="chmod 600"):
        shared_secret_key(path)


def test_an_empty_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    path.write_text("")
    os.chmod(path, 0o600)
    with pytest.raises(SecretKeyError, match="no usable key"):
        shared_secret_key(path)
