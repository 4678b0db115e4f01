"""Settings read from CASEDESK_* environment variables (the README lists them)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'casedesk.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    processes_dir: Path = PROJECT_ROOT / "processes"
    bind: str = "127.0.0.1:8000"
    secret_key: str = ""
    sql_echo: bool = False
    job_lease_seconds: float = 60.0  # a worker that stops renewing loses its jobs after this long
    worker_poll_seconds: float = 1.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            database_url=env.get("CASEDESK_DATABASE_URL") or defaults.database_url,
            processes_dir=Path(env.get("CASEDESK_PROCESSES_DIR") or defaults.processes_dir),
            bind=env.get("CASEDESK_BIND") or defaults.bind,
            secret_key=env.get("CASEDESK_SECRET_KEY", ""),
            sql_echo=env.get("CASEDESK_SQL_ECHO", "") in ("1", "true", "yes"),
            job_lease_seconds=float(env.get("CASEDESK_JOB_LEASE_SECONDS") or defaults.job_lease_seconds),
            worker_poll_seconds=float(env.get("CASEDESK_WORKER_POLL_SECONDS") or defaults.worker_poll_seconds),
        )
