"""The session signing key: CASEDESK_SECRET_KEY, or one generated once under var/ and shared by every worker."""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


class SecretKeyError(RuntimeError):
    """The key file exists but cannot be used (unreadable, empty, or readable by others)."""


def shared_secret_key(path: Path) -> str:
    """The key in `path`, created (mode 0600) by the first process that needs it.

    Every gunicorn worker and node on this machine reads the same file, so a session signed by one
    worker is accepted by all. Creation is atomic: the key is written to a private temporary file
    and linked into place, so a concurrent reader never sees half a key and only one key wins."""
    if not path.exists():
        _create(path)
    info = path.stat()
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretKeyError(f"{path} is readable by other users; run `chmod 600 {path}` "
                             "(or set CASEDESK_SECRET_KEY)")
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise SecretKeyError(f"{path} holds no usable key; delete it to have a new one generated "
                             "(everybody signs in again) or set CASEDESK_SECRET_KEY")
    return key


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)  # fails if another process got there first: theirs wins
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)
