"""Real servers on loopback for notice tests: an SMTP server (aiosmtpd) and an SMS gateway (http.server)."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

from aiosmtpd.controller import Controller

from tests.support.ports import free_port


@dataclass
class Mailbox:
    """What the SMTP server received; `refuse` makes it answer every message with a 554."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd hook
        if self.refuse:
            return "554 5.7.1 Message refused by test policy"
        # Line ends as a mail client shows them: SMTP carries CRLF.
        message = message_from_bytes(envelope.content.replace(b"\r\n", b"\n"), policy=policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def reset(self) -> None:
        self.messages.clear()
        self.refuse = False


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox(port=free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@dataclass
class SmsGateway:
    """Every JSON message posted to it, with its Authorization header; `fail_with` sets an error status."""

    url: str = ""
    token: str = "gateway-token-1"
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_with: int | None = None

    def reset(self) -> None:
        self.received.clear()
        self.fail_with = None


@contextmanager
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if gateway.fail_with is not None:
                self.send_response(gateway.fail_with)
                self.end_headers()
                return
            if self.headers.get("Authorization") != f"Bearer {gateway.token}":
                self.send_response(401)
                self.end_headers()
                return
            gateway.received.append(json.loads(body))
            answer = json.dumps({"id": f"sms-{len(gateway.received)}"}).encode()
            self.send_response(202)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/messages"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
