"""The reply-deadline notice of a consultation not answered on the spot (R-2.1.1)."""
from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from .context import Handler, HandlerContext
from engine.errors import N_, RefusedValue


def make_notify_reply_deadline(notify_customer: Handler, time_zone: str) -> Handler:
    """The `notify_reply_deadline` handler: sends through `notify_customer` (same transport, same
    failure rules), with the deadline written in the company's zone so the customer reads their own date."""
    zone = ZoneInfo(time_zone)

    def notify_reply_deadline(ctx: HandlerContext, channel: str, recipient: str, customer_name: str,
                              question: str, days: int) -> dict[str, Any]:
        """Tell the customer by when the reply comes; the result names the deadline it promised."""
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise RefusedValue(N_("days must be a whole number of days, at least 1; got %(days)s"), days=repr(days))
        now = ctx.now if ctx.now.tzinfo is not None else ctx.now.replace(tzinfo=timezone.utc)
        due = now + timedelta(days=days)
        local = due.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        subject = f"諮詢答復時限 Your question will be answered by {local}"
        message = (f"{customer_name}：\n您的諮詢已登記，我們將於 {local}（{time_zone}）前答復。\n"
                   f"Dear {customer_name}, your question is recorded; we will reply by {local} ({time_zone}).\n\n"
                   f"{question}")
        receipt = notify_customer(ctx, channel=channel, recipient=recipient, subject=subject, message=message)
        return {**receipt, "reply_due_at": due.astimezone(timezone.utc).isoformat(), "reply_due_local": local}

    return notify_reply_deadline
