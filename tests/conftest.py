"""Shared fixtures: every integration test runs on SQLite and on PostgreSQL.

PostgreSQL comes from CASEDESK_TEST_POSTGRES_URL (default: the local server on
127.0.0.1:5432, database `test`); each test session creates its own database
there and drops it afterwards. When no server answers, a throwaway cluster is
started if PostgreSQL's binaries are installed. If neither works the PostgreSQL
leg is skipped with a loud warning — and under CI=true it fails instead.
"""
from __future__ import annotations

import os
import uuid
import warnings
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine import users
from engine.bootstrap import Casedesk, bootstrap
from engine.clock import FakeClock
from engine.config import PROJECT_ROOT, Settings
from engine.definitions.service import collect_files
from engine.models import Base
from engine.persistence import normalise_url
from tests.support.pgcluster import throwaway_cluster

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
DEMO_USERS = {
    "alice": ["clerk"],
    "bob": ["clerk"],
    "rita": ["reviewer"],
    "root": ["admin"],
    "audrey": ["auditor"],
}
PASSWORD = "correct-horse-1"


def _server_reachable(url: str) -> str | None:
    try:
        engine = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return str(exc).splitlines()[0]


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Tests add and log in hundreds of users; the production scrypt cost (tens of ms to
    hundreds under load) would dominate the suite. The hash records its own cost, so
    verification is unchanged."""
    saved = dict(users._SCRYPT)
    users._SCRYPT.update(n=2**8)
    yield
    users._SCRYPT.update(saved)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a PostgreSQL server we may create databases on."""
    url = os.environ.get("CASEDESK_TEST_POSTGRES_URL", DEFAULT_PG)
    error = _server_reachable(url)
    if error is None:
        yield url
        return
    with throwaway_cluster() as cluster_url:
        if cluster_url is not None:
            yield cluster_url
            return
    message = f"PostgreSQL leg cannot run: {url} unreachable ({error}) and no PostgreSQL binaries to start one"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    warnings.warn(message)
    print(f"\n{'!' * 20} {message} {'!' * 20}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh database for this test session, dropped at the end."""
    name = f"casedesk_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(normalise_url(postgres_server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # Tests need no crash durability; waiting for WAL flushes only slows the PostgreSQL leg.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    url = make_url(normalise_url(postgres_server)).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'casedesk.db'}"
    url = request.getfixturevalue("postgres_url")
    _empty_database(url)
    return url


def _empty_database(url: str) -> None:
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        exists = conn.execute(text("select to_regclass('public.instance_event')")).scalar()
        if exists:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(database_url: str, clock: FakeClock) -> Iterator[Casedesk]:
    """casedesk wired to a fresh database and a fake clock, demo process deployed, users added."""
    casedesk = bootstrap(Settings(database_url=database_url), clock=clock)
    casedesk.definitions.deploy(collect_files(PROJECT_ROOT / "processes" / "demo", PROJECT_ROOT / "forms"), "owen")
    for name, groups in DEMO_USERS.items():
        casedesk.users.add_user(name, PASSWORD, groups)
    yield casedesk
    casedesk.close()
