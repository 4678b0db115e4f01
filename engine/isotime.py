"""ISO 8601 instants, durations and repeating intervals, always counted from a given moment.

SpiffWorkflow's own timer parsing reads the wall clock and turns months into a fixed number
of days; casedesk computes every due time from the step's recorded clock, calendar-aware.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeAlias

import isodate

from engine.errors import InvalidInput, N_

Duration: TypeAlias = "timedelta | isodate.Duration"


def parse_instant(value: Any) -> datetime:
    """An ISO 8601 date-time (a date means its midnight); no offset means UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = isodate.parse_datetime(value) if "T" in value.upper() else _midnight(isodate.parse_date(value))
        except (isodate.ISO8601Error, ValueError) as exc:
            raise InvalidInput(N_("not an ISO 8601 date-time: %(value)s"), value=repr(value)) from exc
    else:
        raise InvalidInput(N_("not an ISO 8601 date-time: %(value)s"), value=repr(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def parse_duration(value: Any) -> Duration:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str) or not value.upper().startswith("P"):
        raise InvalidInput(N_("not an ISO 8601 duration: %(value)s"), value=repr(value))
    try:
        duration = isodate.parse_duration(value.upper())
    except (isodate.ISO8601Error, ValueError) as exc:
        raise InvalidInput(N_("not an ISO 8601 duration: %(value)s"), value=repr(value)) from exc
    if isinstance(duration, timedelta) and duration <= timedelta(0):
        raise InvalidInput(N_("a duration must be positive: %(value)s"), value=repr(value))
    return duration


def add(moment: datetime, duration: Duration, times: int = 1) -> datetime:
    """`moment` plus `times` × `duration`; months and years follow the calendar (31 Jan + P1M = 28 Feb)."""
    if isinstance(duration, isodate.Duration):
        return (moment + duration * times).astimezone(timezone.utc)  # type: ignore[no-any-return]
    return moment + duration * times


def due_after(value: Any, start: datetime) -> datetime:
    """A timer's due time: an instant as given, a duration counted from `start`."""
    if isinstance(value, str) and value.upper().startswith("P"):
        return add(start, parse_duration(value))
    return parse_instant(value)


@dataclass(frozen=True)
class Cycle:
    """`R[n]/start/period`, `R[n]/period` (first due one period after start) or `R[n]/period/end`."""

    repetitions: int | None  # None: unbounded
    first: datetime
    period: Duration
    text: str

    def occurrence(self, index: int) -> datetime:
        return add(self.first, self.period, index)

    def first_after(self, moment: datetime) -> tuple[int, datetime] | None:
        """The first occurrence strictly after `moment` (its index and time), None when exhausted."""
        index = 0
        # Jump close first so a cycle anchored years ago costs a handful of steps, not thousands.
        approx = _approx_seconds(self.period)
        if moment > self.first and approx > 0:
            index = max(0, int((moment - self.first).total_seconds() // approx) - 2)
        while self.occurrence(index) <= moment:
            index += 1
        if self.repetitions is not None and index >= self.repetitions:
            return None
        return index, self.occurrence(index)


def _approx_seconds(period: Duration) -> float:
    if isinstance(period, isodate.Duration):
        return float(period.years) * 365 * 86400 + float(period.months) * 28 * 86400 + period.tdelta.total_seconds()
    return period.total_seconds()


def parse_cycle(value: Any, start: datetime) -> Cycle:
    if not isinstance(value, str) or not value.upper().startswith("R"):
        raise InvalidInput(N_("not an ISO 8601 repeating interval: %(value)s"), value=repr(value))
    parts = value.strip().split("/")
    count_text = parts[0][1:]
    if count_text and not count_text.isdigit():
        raise InvalidInput(N_("bad repetition count in %(value)s"), value=repr(value))
    repetitions = int(count_text) if count_text else None
    if len(parts) == 2:
        period = parse_duration(parts[1])
        return Cycle(repetitions, add(start, period), period, value)
    if len(parts) == 3 and parts[1].upper().startswith("P"):
        period = parse_duration(parts[1])
        end = parse_instant(parts[2])
        return Cycle(repetitions, add(end, period, -(repetitions or 1)), period, value)
    if len(parts) == 3:
        return Cycle(repetitions, parse_instant(parts[1]), parse_duration(parts[2]), value)
    raise InvalidInput(N_("not an ISO 8601 repeating interval: %(value)s"), value=repr(value))


@dataclass(frozen=True)
class RetryPolicy:
    """`R3/PT1M`: up to 3 retries, the first one minute after the failure, each next one twice as late."""

    retries: int
    first_delay: Duration

    def delay(self, attempt: int) -> Duration:
        """Wait before retry number `attempt` (1-based)."""
        return self.first_delay * (2 ** (attempt - 1))


def parse_retry_policy(value: str) -> RetryPolicy:
    parts = value.strip().split("/")
    if len(parts) != 2 or not parts[0].upper().startswith("R") or not parts[0][1:].isdigit():
        raise InvalidInput(N_("a retry policy reads like R3/PT1M, not %(value)s"), value=repr(value))
    return RetryPolicy(int(parts[0][1:]), parse_duration(parts[1]))
