"""Outgoing mail over SMTP (standard library), sent from a worker thread.

Port 465 uses implicit TLS; any other port upgrades with STARTTLS when the server offers it.
Credentials are only sent over TLS unless the server is on a loopback address.
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

__all__ = ["MailError", "Mailer", "SmtpConfig", "password_reset_message"]

SMTP_TIMEOUT_SECONDS = 15.0


class MailError(Exception):
    """The message could not be handed to the SMTP server."""


@dataclass(frozen=True)
class SmtpConfig:
    hostname: str
    port: int
    username: str
    password: str
    mail_from: str
    validate_certs: bool


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Mailer:
    def __init__(self, config: SmtpConfig) -> None:
        self._config = config

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self._config.validate_certs:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def _send_blocking(self, message: EmailMessage) -> None:
        cfg = self._config
        client: smtplib.SMTP
        if cfg.port == 465:
            client = smtplib.SMTP_SSL(cfg.hostname, cfg.port, timeout=SMTP_TIMEOUT_SECONDS, context=self._tls_context())
        else:
            client = smtplib.SMTP(cfg.hostname, cfg.port, timeout=SMTP_TIMEOUT_SECONDS)
        with client:
            client.ehlo()
            secure = cfg.port == 465
            if not secure and client.has_extn("starttls"):
                client.starttls(context=self._tls_context())
                client.ehlo()
                secure = True
            if client.has_extn("auth"):
                if not secure and not _is_loopback(cfg.hostname):
                    raise MailError("refusing to send SMTP credentials without TLS")
                client.login(cfg.username, cfg.password)
            client.send_message(message)

    async def send(self, *, to: str, subject: str, html_body: str, text_body: str) -> None:
        message = EmailMessage()
        message["From"] = self._config.mail_from
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text_body)
        message.add_alternative(html_body, subtype="html")
        try:
            await asyncio.to_thread(self._send_blocking, message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(str(exc)) from exc


def password_reset_message(link: str) -> tuple[str, str, str]:
    """(subject, HTML body, text body) of the password-reset mail."""
    subject = "[Pyrewatch] Password Reset Request"
    safe = html.escape(link, quote=True)
    html_body = (
        "<html><body><p>Someone asked to reset the password of your Pyrewatch account.</p>"
        f'<p><a id="reset-url" href="{safe}">Reset your password</a></p>'
        "<p>If it was not you, ignore this message: your password stays the same.</p></body></html>"
    )
    text_body = f"Reset your Pyrewatch password: {link}\nIf it was not you, ignore this message.\n"
    return subject, html_body, text_body
