"""Sign-in throttling: failures counted per user name and per address in the database, then a lockout."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.account_models import LoginThrottle
from engine.errors import CasedeskError

USER_FAILURES = 5        # wrong passwords for one user name within WINDOW before it is locked
ADDRESS_FAILURES = 30    # wrong passwords from one address within WINDOW (many names tried)
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)


class Throttled(CasedeskError):
    """Too many failed sign-ins for this user name or from this address; `retry_after` in seconds."""

    def __init__(self, retry_after: float):
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"too many failed sign-ins; try again in {minutes} minute{'s' if minutes > 1 else ''}")
        self.retry_after = max(1, math.ceil(retry_after))


def throttle_keys(username: str, address: str | None) -> list[tuple[str, int]]:
    keys = [(f"user:{username[:150]}", USER_FAILURES)]
    if address:
        keys.append((f"addr:{address[:150]}", ADDRESS_FAILURES))
    return keys


def locked_for(session: Session, keys: list[tuple[str, int]], now: datetime) -> float | None:
    """Seconds until the longest lock on any of `keys` ends, or None when none is locked."""
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_([key for key, _ in keys]))).all()
    waits = [(row.locked_until - now).total_seconds() for row in rows
             if row.locked_until is not None and row.locked_until > now]
    return max(waits) if waits else None


def record_failure(session: Session, keys: list[tuple[str, int]], now: datetime) -> None:
    for key, limit in keys:
        row = session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, window_started_at=now)
            session.add(row)
        elif row.window_started_at + WINDOW <= now:
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + LOCKOUT


def clear(session: Session, username: str) -> None:
    """A successful sign-in forgets the user name's failures (the address keeps its count)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == throttle_keys(username, None)[0][0]))
