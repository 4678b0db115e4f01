"""Settings read from CASEDESK_* environment variables (the README lists them)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WARM_INSTANCES = 1024  # the default of Settings.warm_instances, and of the runtime's and cache's own


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'casedesk.db'}"


def uses_embedded_database(settings: "Settings") -> bool:
    """True on the embedded SQLite demo database, false on any configured one (production)."""
    return settings.database_url == _default_database_url()


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    processes_dir: Path = PROJECT_ROOT / "processes"
    bind: str = "127.0.0.1:8000"
    secret_key: str = ""
    # Without CASEDESK_SECRET_KEY, every worker signs sessions with the key generated once in this file.
    secret_key_file: Path = PROJECT_ROOT / "var" / "secret_key"
    sql_echo: bool = False
    job_lease_seconds: float = 60.0  # a worker that stops renewing loses its jobs after this long
    worker_poll_seconds: float = 1.0
    worker_threads: int = 4  # jobs a worker runs side by side (PostgreSQL; SQLite runs one at a time)
    # Instances whose workflow a process keeps in memory between steps (about 12 KB each for a small diagram).
    warm_instances: int = WARM_INSTANCES
    # The company's zone: case numbers carry the local date; storage stays UTC.
    timezone: str = "Asia/Shanghai"
    # Customer notices: SMTP for e-mail, an HTTP gateway for SMS.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = "casedesk@localhost"
    smtp_starttls: bool = False
    sms_gateway_url: str = ""
    sms_gateway_token: str = field(default="", repr=False)
    # `network` sends notices (SMTP, SMS gateway); `outbox` keeps them in a table (`make run`'s demo).
    notify_transport: str = "network"
    # Staff e-mail digest (new, soon-due, overdue tasks): minutes between runs, 0 = off (`from_env`: 60);
    # the address links point at, and the domain of staff addresses nobody set on their account page.
    digest_minutes: int = 0
    public_url: str = ""
    staff_mail_domain: str = "casedesk.local"
    # Web hardening: cookies only over HTTPS (behind a TLS proxy), and the largest request body.
    secure_cookies: bool = False
    max_request_bytes: int = 16 * 2**20
    # How many reverse proxies in front append to X-Forwarded-For; 0: the header is ignored (it can be forged).
    trusted_proxies: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            database_url=env.get("CASEDESK_DATABASE_URL") or _default_database_url(),
            processes_dir=Path(env.get("CASEDESK_PROCESSES_DIR") or defaults.processes_dir),
            bind=env.get("CASEDESK_BIND") or defaults.bind,
            secret_key=env.get("CASEDESK_SECRET_KEY", ""),
            secret_key_file=Path(env.get("CASEDESK_SECRET_KEY_FILE") or defaults.secret_key_file),
            sql_echo=env.get("CASEDESK_SQL_ECHO", "") in ("1", "true", "yes"),
            job_lease_seconds=float(env.get("CASEDESK_JOB_LEASE_SECONDS") or defaults.job_lease_seconds),
            worker_poll_seconds=float(env.get("CASEDESK_WORKER_POLL_SECONDS") or defaults.worker_poll_seconds),
            worker_threads=max(1, int(env.get("CASEDESK_WORKER_THREADS") or defaults.worker_threads)),
            warm_instances=max(0, int(env.get("CASEDESK_WARM_INSTANCES") or defaults.warm_instances)),
            timezone=_time_zone(env.get("CASEDESK_TIMEZONE") or defaults.timezone),
            smtp_host=env.get("CASEDESK_SMTP_HOST", ""),
            smtp_port=_port(env.get("CASEDESK_SMTP_PORT") or str(defaults.smtp_port)),
            smtp_user=env.get("CASEDESK_SMTP_USER", ""),
            smtp_password=env.get("CASEDESK_SMTP_PASSWORD", ""),
            smtp_from=env.get("CASEDESK_SMTP_FROM") or defaults.smtp_from,
            smtp_starttls=env.get("CASEDESK_SMTP_STARTTLS", "") in ("1", "true", "yes"),
            sms_gateway_url=env.get("CASEDESK_SMS_GATEWAY_URL", ""),
            sms_gateway_token=env.get("CASEDESK_SMS_GATEWAY_TOKEN", ""),
            notify_transport=_transport(env.get("CASEDESK_NOTIFY_TRANSPORT") or defaults.notify_transport),
            digest_minutes=_minutes(env.get("CASEDESK_DIGEST_MINUTES") or "60"),
            public_url=env.get("CASEDESK_PUBLIC_URL", ""),
            staff_mail_domain=env.get("CASEDESK_STAFF_MAIL_DOMAIN") or defaults.staff_mail_domain,
            secure_cookies=env.get("CASEDESK_SECURE_COOKIES", "") in ("1", "true", "yes"),
            max_request_bytes=int(env.get("CASEDESK_MAX_REQUEST_BYTES") or defaults.max_request_bytes),
            trusted_proxies=_proxy_count(env.get("CASEDESK_TRUSTED_PROXIES") or "0"),
        )


def _minutes(text: str) -> int:
    if not text.isdigit() or int(text) > 7 * 24 * 60:
        raise ValueError(f"CASEDESK_DIGEST_MINUTES: not a number of minutes from 0 (off) to 10080: {text!r}")
    return int(text)


def _proxy_count(text: str) -> int:
    if not text.isdigit() or int(text) > 10:
        raise ValueError(f"CASEDESK_TRUSTED_PROXIES: not a number of proxies from 0 to 10: {text!r}")
    return int(text)


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"CASEDESK_TIMEZONE: unknown time zone {name!r} (e.g. Asia/Shanghai)") from None
    return name


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"CASEDESK_SMTP_PORT: not a port number: {text!r}")
    return int(text)


def _transport(name: str) -> str:
    if name not in ("network", "outbox"):
        raise ValueError(f"CASEDESK_NOTIFY_TRANSPORT: {name!r} is neither 'network' (SMTP and the SMS gateway) "
                         "nor 'outbox' (kept in the local outbox)")
    return name
