"""The time names scripts written for SpiffWorkflow expect (`datetime`, `date`, `timedelta`, `now`), bound to the
step's recorded clock so that replay computes the same values."""
from __future__ import annotations

import datetime as real
import unicodedata
from functools import lru_cache
from typing import Any


# Task data may hold variables of these names (they came after `now`); in such a task the data wins.
DATA_MAY_SHADOW = frozenset({"datetime", "date", "timedelta"})
# The attribute holding a step clock name's time: the sandbox pool sends the time, not the per-step class.
STEP_NOW = "_casedesk_step_now"


@lru_cache(maxsize=4096)
def mentions_clock_name(source: str) -> bool:
    """Whether code could name `now`, `datetime`, `date` or `timedelta`: building them costs about 30 µs a step,
    most expressions (a gateway's `decision == 'approve'`) name none. Python reads identifiers in NFKC form, so
    the test is on that form too; a mention in a string or a longer name only means they are built."""
    text = source if source.isascii() else unicodedata.normalize("NFKC", source)
    return "now" in text or "date" in text or "timedelta" in text  # "date" is inside "datetime"


class _RealTypeCheck(type):
    """isinstance(x, datetime) in a script asks about the real type: values in task data are never the stand-in."""

    _real_type: type

    def __instancecheck__(cls, value: Any) -> bool:
        return isinstance(value, cls._real_type)


def clock_names(step_now: real.datetime) -> dict[str, Any]:
    """`now()`, `datetime`, `date` and `timedelta` for one step.

    `datetime.now()`, `datetime.utcnow()`, `datetime.today()` and `date.today()` return the step's recorded time
    (timezone-aware UTC, as `now()` does; `utcnow()` without the zone, as Python's own). Everything else behaves
    as Python's `datetime` module, and every value a script makes is a plain `datetime`/`date`, so task data
    serializes as before.
    """

    class StepDatetime(real.datetime, metaclass=_RealTypeCheck):
        _real_type = real.datetime

        def __new__(cls, *args: Any, **kwargs: Any) -> real.datetime:  # type: ignore[misc]
            return real.datetime(*args, **kwargs)

        @classmethod
        def now(cls, tz: real.tzinfo | None = None) -> real.datetime:  # type: ignore[override]
            return step_now if tz is None else step_now.astimezone(tz)

        @classmethod
        def today(cls) -> real.datetime:  # type: ignore[override]
            return step_now

        @classmethod
        def utcnow(cls) -> real.datetime:  # type: ignore[override]
            return step_now.astimezone(real.timezone.utc).replace(tzinfo=None)

    class StepDate(real.date, metaclass=_RealTypeCheck):
        _real_type = real.date

        def __new__(cls, *args: Any, **kwargs: Any) -> real.date:  # type: ignore[misc]
            return real.date(*args, **kwargs)

        @classmethod
        def today(cls) -> real.date:  # type: ignore[override]
            return step_now.date()

    StepDatetime.__name__ = StepDatetime.__qualname__ = "datetime"
    StepDate.__name__ = StepDate.__qualname__ = "date"

    def now() -> real.datetime:
        return step_now

    for name in (StepDatetime, StepDate, now):
        setattr(name, STEP_NOW, step_now)
    return {"now": now, "datetime": StepDatetime, "date": StepDate, "timedelta": real.timedelta}
