"""A pooled PostgreSQL connection the server dropped is replaced before use, without a ping per step."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from engine import persistence
from engine.persistence import make_engine


def test_a_connection_dropped_while_idle_is_replaced(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            first_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        # The server (or a proxy) drops the idle connection, as a restart would.
        with make_engine(postgres_url).connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
            admin.commit()
        monkeypatch.setattr(persistence, "IDLE_PING_SECONDS", 0.0)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != first_pid
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pings: list[object] = []
    monkeypatch.setattr(persistence, "ping", pings.append)
    engine = make_engine(postgres_url)
    monkeypatch.setattr(engine.dialect, "do_ping", pings.append)
    try:
        for _ in range(5):
            with engine.begin() as conn:
                conn.execute(text("SELECT 2"))
        assert pings == []  # a ping is a round trip in front of every step's transaction
        monkeypatch.setattr(persistence, "IDLE_PING_SECONDS", 0.0)
        with engine.begin() as conn:
            conn.execute(text("SELECT 2"))
        assert len(pings) == 1  # one that sat idle is checked before use
    finally:
        engine.dispose()
