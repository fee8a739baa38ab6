"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import email
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.server import free_port

SMTP_USER = "mailer"
SMTP_PASSWORD = "mailer-password"


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def _authenticator(mailbox: Mailbox) -> Callable[..., AuthResult]:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        if ok:
            mailbox.logins.append(SMTP_USER)
        return AuthResult(success=ok)

    return check


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, dict[str, str]]]:
    """Run a loopback SMTP server; yield its mailbox and the env that points Pyrewatch at it."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticator(mailbox),
        # AUTH is offered without TLS on loopback (no certificate to set up); not "required",
        # which aiosmtpd warns about, but the test checks that Pyrewatch logged in.
        auth_require_tls=False,
    )
    controller.start()
    env = {
        "PHOENIX_SMTP_HOSTNAME": "127.0.0.1",
        "PHOENIX_SMTP_PORT": str(port),
        "PHOENIX_SMTP_USERNAME": SMTP_USER,
        "PHOENIX_SMTP_PASSWORD": SMTP_PASSWORD,
        "PHOENIX_SMTP_MAIL_FROM": "pyrewatch@example.com",
    }
    try:
        yield mailbox, env
    finally:
        controller.stop()


def reset_link(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            match = re.search(r'id="reset-url" href="([^"]+)"', payload.decode())
            assert match is not None
            return match.group(1).replace("&amp;", "&")
    raise AssertionError("no HTML part")
