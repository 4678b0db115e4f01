"""notify_customer against a real SMTP server and a real HTTP SMS gateway on loopback (R-2.3.1)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from engine.config import Settings
from handlers.context import HandlerContext
from handlers.notify import DeliveryFailed, NotifySettings, make_notify_customer
from handlers.registry import notify_settings
from tests.support.notify_servers import Mailbox, SmsGateway, free_port, sms_gateway, smtp_server

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)
CTX = HandlerContext(instance_id="c0ffee00-0000-4000-8000-000000000001", task_id="t1", task_spec="email_result",
                     process_key="feedback", now=NOW)


@pytest.fixture(scope="module")
def mail_server() -> Iterator[Mailbox]:
    with smtp_server() as mailbox:
        yield mailbox


@pytest.fixture(scope="module")
def gateway_server() -> Iterator[SmsGateway]:
    with sms_gateway() as gateway:
        yield gateway


@pytest.fixture
def mailbox(mail_server: Mailbox) -> Mailbox:
    mail_server.reset()
    return mail_server


@pytest.fixture
def gateway(gateway_server: SmsGateway) -> SmsGateway:
    gateway_server.reset()
    return gateway_server


def notifier(**settings: Any) -> Any:
    return make_notify_customer(NotifySettings(**settings))


def test_email_is_delivered_with_subject_sender_and_utf8_body(mailbox: Mailbox) -> None:
    notify = notifier(smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_from="cases@example.com")
    receipt = notify(CTX, channel="email", recipient="wang@example.com", subject="辦理結果 Result",
                     message="您好 Hello\nYour case is done.")
    assert len(mailbox.messages) == 1
    mail = mailbox.messages[0]
    assert (mail["From"], mail["To"], mail["Subject"]) == ("cases@example.com", "wang@example.com", "辦理結果 Result")
    assert mail.get_content().strip() == "您好 Hello\nYour case is done."
    assert mail["X-Casedesk-Reference"] == f"{CTX.instance_id}/email_result"
    assert receipt == {"channel": "email", "recipient": "wang@example.com", "sent_at": NOW.isoformat(),
                       "message_id": mail["Message-ID"]}


def test_email_refused_by_the_server_raises(mailbox: Mailbox) -> None:
    mailbox.refuse = True
    notify = notifier(smtp_host="127.0.0.1", smtp_port=mailbox.port)
    with pytest.raises(DeliveryFailed, match="554"):
        notify(CTX, channel="email", recipient="wang@example.com", subject="s", message="m")
    assert mailbox.messages == []


def test_email_to_an_unreachable_server_raises() -> None:
    notify = notifier(smtp_host="127.0.0.1", smtp_port=free_port())
    with pytest.raises(DeliveryFailed, match="not accepted"):
        notify(CTX, channel="email", recipient="wang@example.com", subject="s", message="m")


def test_email_without_smtp_settings_raises_naming_the_setting() -> None:
    with pytest.raises(DeliveryFailed, match="CASEDESK_SMTP_HOST"):
        notifier()(CTX, channel="email", recipient="wang@example.com", subject="s", message="m")


def test_email_logs_in_when_a_user_is_configured() -> None:
    logins: list[tuple[str, str]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"s3cret-pass", handled=False)  # False: a 535 answer

    mailbox = Mailbox(port=free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        notify = notifier(smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_user="cases", smtp_password="s3cret-pass")
        notify(CTX, channel="email", recipient="wang@example.com", subject="s", message="m")
        wrong = notifier(smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_user="cases", smtp_password="wrong")
        with pytest.raises(DeliveryFailed):
            wrong(CTX, channel="email", recipient="wang@example.com", subject="s", message="m")
    finally:
        controller.stop()
    assert logins[0] == ("cases", "s3cret-pass")
    assert set(logins[1:]) == {("cases", "wrong")}  # smtplib tries each offered mechanism
    assert len(mailbox.messages) == 1


def test_sms_is_posted_as_json_with_the_bearer_token(gateway: SmsGateway) -> None:
    notify = notifier(sms_gateway_url=gateway.url, sms_gateway_token=gateway.token)
    receipt = notify(CTX, channel="sms", recipient="+86 138 0000 0001", subject="ignored", message="案件已辦結")
    assert gateway.received == [{"to": "+86 138 0000 0001", "message": "案件已辦結",
                                 "reference": f"{CTX.instance_id}/email_result"}]
    assert (receipt["gateway_status"], receipt["gateway_id"]) == (202, "sms-1")


@pytest.mark.parametrize("status", [401, 500, 503])
def test_sms_refused_by_the_gateway_raises(gateway: SmsGateway, status: int) -> None:
    gateway.fail_with = None if status == 401 else status
    notify = notifier(sms_gateway_url=gateway.url, sms_gateway_token="wrong" if status == 401 else gateway.token)
    with pytest.raises(DeliveryFailed, match=f"HTTP {status}"):
        notify(CTX, channel="sms", recipient="+8613800000001", subject="s", message="m")
    assert gateway.received == []


def test_sms_to_an_unreachable_gateway_raises() -> None:
    notify = notifier(sms_gateway_url=f"http://127.0.0.1:{free_port()}/messages")
    with pytest.raises(DeliveryFailed, match="unreachable"):
        notify(CTX, channel="sms", recipient="+8613800000001", subject="s", message="m")


@pytest.mark.parametrize("channel, recipient, error", [
    ("fax", "x", "unknown channel"),
    ("email", "not-an-address", "not an e-mail address"),
    ("sms", "call me", "not a mobile number"),
])
def test_bad_notice_parameters_are_refused_before_anything_is_sent(
        channel: str, recipient: str, error: str, mailbox: Mailbox, gateway: SmsGateway) -> None:
    notify = notifier(smtp_host="127.0.0.1", smtp_port=mailbox.port, sms_gateway_url=gateway.url)
    with pytest.raises(ValueError, match=error):
        notify(CTX, channel=channel, recipient=recipient, subject="s", message="m")
    assert mailbox.messages == [] and gateway.received == []


def test_notice_settings_come_from_the_environment() -> None:
    settings = Settings.from_env({
        "CASEDESK_SMTP_HOST": "mail.example.com", "CASEDESK_SMTP_PORT": "587", "CASEDESK_SMTP_USER": "u",
        "CASEDESK_SMTP_PASSWORD": "p", "CASEDESK_SMTP_FROM": "desk@example.com", "CASEDESK_SMTP_STARTTLS": "1",
        "CASEDESK_SMS_GATEWAY_URL": "https://sms.example.com/send", "CASEDESK_SMS_GATEWAY_TOKEN": "tok",
        "CASEDESK_TIMEZONE": "Europe/Berlin"})
    assert notify_settings(settings) == NotifySettings("mail.example.com", 587, "u", "p", "desk@example.com", True,
                                                       "https://sms.example.com/send", "tok")
    assert settings.timezone == "Europe/Berlin"
    assert "smtp_password" not in repr(settings) and "sms_gateway_token" not in repr(settings)  # secrets


@pytest.mark.parametrize("variable, value", [("CASEDESK_SMTP_PORT", "smtp"), ("CASEDESK_SMTP_PORT", "70000"),
                                             ("CASEDESK_TIMEZONE", "Mars/Olympus")])
def test_bad_notice_settings_are_refused_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ValueError, match=variable):
        Settings.from_env({variable: value})
