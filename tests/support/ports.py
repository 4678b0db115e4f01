"""A free loopback port for a server a test starts (SMTP, SMS gateway, PostgreSQL, gunicorn)."""
from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now: the OS picks it for a probe socket, which is closed at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
