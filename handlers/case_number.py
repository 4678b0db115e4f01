"""Case numbers by the numbering rule (R-2.1.3): class prefix, company-local date, daily sequence."""
from __future__ import annotations

from datetime import timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from casework.numbering import next_number
from engine.errors import N_, RefusedValue

from .context import Handler, HandlerContext

# Business types double as archive classes; the prefix is the class's pinyin initials.
CASE_PREFIXES = {"sales": "XS", "procurement": "CG", "finance": "CW", "general": "ZH"}


def make_case_number(time_zone: str) -> Handler:
    """The `case_number` handler for a company working in `time_zone` (e.g. Asia/Shanghai)."""
    zone = ZoneInfo(time_zone)

    def case_number(ctx: HandlerContext, business_type: str) -> str:
        """`XS-20261126-0001`: unique and gap-free, because the counter is taken in the step's
        own transaction — a rolled-back step gives its number back, concurrent steps queue."""
        prefix = CASE_PREFIXES.get(business_type)
        if prefix is None:
            raise RefusedValue(N_("unknown business type '%(name)s'; expected one of %(known)s"), name=business_type,
                               known=sorted(CASE_PREFIXES))
        now = ctx.now if ctx.now.tzinfo is not None else ctx.now.replace(tzinfo=timezone.utc)
        day = now.astimezone(zone).strftime("%Y%m%d")
        number = next_number(_connection(ctx), f"case:{prefix}", day)
        return f"{prefix}-{day}-{number:04d}"

    return case_number


def _connection(ctx: HandlerContext) -> Connection:
    connection = ctx.connection
    if connection is None:
        raise RuntimeError("case_number needs the step's database connection (HandlerContext.connection)")
    return connection
