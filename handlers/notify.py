"""Customer notices (R-2.3.1, R-2.1.2): e-mail over SMTP and SMS through an HTTP gateway, or the local outbox.

The transport is chosen by configuration (CASEDESK_NOTIFY_TRANSPORT): `network` sends, `outbox` keeps
each notice in the outbox table for administrators to read (the embedded demo). A notice that cannot be
handed over raises DeliveryFailed: the service task waits for its retry, then an incident — a notice is
never silently dropped.
"""
from __future__ import annotations

import json
import re
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, Callable

from sqlalchemy import Connection

from casework import outbox
from engine.errors import N_, RefusedValue

from .context import Handler, HandlerContext

CHANNELS = ("email", "sms")
TRANSPORTS = ("network", "outbox")
TIMEOUT_SECONDS = 15
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^\+?[0-9][0-9 -]{5,19}$")


class DeliveryFailed(RuntimeError):
    """The SMTP server or the SMS gateway did not accept the notice."""


@dataclass(frozen=True)
class NotifySettings:
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_from: str = "casedesk@localhost"
    smtp_starttls: bool = False
    sms_gateway_url: str = ""
    sms_gateway_token: str = field(default="", repr=False)
    transport: str = "network"


def check_recipient(channel: str, recipient: str) -> None:
    if channel == "email" and not _EMAIL.match(recipient or ""):
        raise RefusedValue(N_("not an e-mail address: '%(email)s'"), email=recipient)
    if channel == "sms" and not _MOBILE.match(recipient or ""):
        raise RefusedValue(N_("not a mobile number: '%(number)s'"), number=recipient)


def keep_in_outbox(ctx: HandlerContext, channel: str, recipient: str, subject: str, message: str,
                   reference: str) -> dict[str, Any]:
    check_recipient(channel, recipient)
    if ctx.connection is None:
        raise DeliveryFailed("the outbox needs the step's database connection")
    notice = outbox.Notice(channel, recipient, subject, message, reference, ctx.instance_id)
    return {"outbox_id": outbox.put(ctx.connection, notice, ctx.now)}


def send_email(settings: NotifySettings, recipient: str, subject: str, message: str,
               reference: str, now: datetime) -> dict[str, Any]:
    if not settings.smtp_host:
        raise DeliveryFailed("e-mail is not configured: set CASEDESK_SMTP_HOST")
    check_recipient("email", recipient)
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = recipient
    mail["Subject"] = subject
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or "casedesk")
    mail["X-Casedesk-Reference"] = reference
    mail.set_content(message)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            refused = smtp.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"e-mail to {recipient} not accepted by "
                             f"{settings.smtp_host}:{settings.smtp_port}: {exc}") from exc
    if refused:
        raise DeliveryFailed(f"e-mail refused for {', '.join(refused)}")
    return {"message_id": mail["Message-ID"]}


def send_sms(settings: NotifySettings, recipient: str, message: str, reference: str) -> dict[str, Any]:
    if not settings.sms_gateway_url:
        raise DeliveryFailed("SMS is not configured: set CASEDESK_SMS_GATEWAY_URL")
    check_recipient("sms", recipient)
    body = json.dumps({"to": recipient, "message": message, "reference": reference}).encode("utf-8")
    request = urllib.request.Request(settings.sms_gateway_url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    if settings.sms_gateway_token:
        request.add_header("Authorization", f"Bearer {settings.sms_gateway_token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status, text = response.status, response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"SMS gateway refused the message to {recipient}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryFailed(f"SMS gateway {settings.sms_gateway_url} unreachable: {exc}") from exc
    try:
        answer = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        answer = {}
    gateway_id = answer.get("id") if isinstance(answer, dict) else None
    return {"gateway_status": status, "gateway_id": None if gateway_id is None else str(gateway_id)}


def make_notify_customer(settings: NotifySettings) -> Handler:
    """The `notify_customer` handler, bound to the configured SMTP server and SMS gateway."""

    def notify_customer(ctx: HandlerContext, channel: str, recipient: str, subject: str,
                        message: str) -> dict[str, Any]:
        """Send one notice; the result (recorded in the event log) says where and when it went."""
        reference = f"{ctx.instance_id}/{ctx.task_spec}"
        if channel not in CHANNELS:
            raise RefusedValue(N_("unknown channel '%(channel)s'; expected one of %(channels)s"), channel=channel,
                               channels=list(CHANNELS))
        if settings.transport == "outbox":
            receipt = keep_in_outbox(ctx, channel, recipient, subject, message, reference)
        elif channel == "email":
            receipt = send_email(settings, recipient, subject, message, reference, ctx.now)
        elif channel == "sms":
            receipt = send_sms(settings, recipient, message, reference)
        return {"channel": channel, "recipient": recipient, "sent_at": ctx.now.isoformat(), **receipt}

    return notify_customer


def make_staff_mailer(settings: NotifySettings) -> Callable[[Connection, outbox.Notice, datetime], None]:
    """Staff e-mail (the task digest) through the same transport as customer notices: the outbox or SMTP."""

    def send(connection: Connection, notice: outbox.Notice, now: datetime) -> None:
        check_recipient("email", notice.recipient)
        if settings.transport == "outbox":
            outbox.put(connection, notice, now)
        else:
            send_email(settings, notice.recipient, notice.subject, notice.message, notice.reference, now)

    return send
