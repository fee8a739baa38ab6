"""Session collaborators built once per app from its settings, and the session cookies."""

from __future__ import annotations

import logging

from starlette.requests import HTTPConnection
from starlette.responses import Response

from pyrewatch.auth.tokens import Keyring
from pyrewatch.db.session import SessionFactory
from pyrewatch.services.authentication import ACCESS_COOKIE
from pyrewatch.services.mail import Mailer, MailError, SmtpConfig, password_reset_message
from pyrewatch.services.sessions import IssuedTokens, SessionConfig, Sessions
from pyrewatch.settings import Settings

REFRESH_COOKIE = "phoenix-refresh-token"
# Cookies of Phoenix's OAuth2 login flow, cleared on logout so a shared browser keeps nothing.
OAUTH2_COOKIES = ("phoenix-oauth2-state", "phoenix-oauth2-nonce")


def build_sessions(settings: Settings, factory: SessionFactory, keyring: Keyring | None) -> Sessions | None:
    """The ``Sessions`` service, or ``None`` when no ``PHOENIX_SECRET`` can sign tokens."""
    if keyring is None:
        return None
    config = SessionConfig(
        access_ttl=settings.access_token_expiry,
        refresh_ttl=settings.refresh_token_expiry,
        reset_ttl=settings.password_reset_token_expiry,
        max_attempts=settings.brute_force_max_attempts,
        brute_force_protection=not settings.disable_brute_force_login_protection,
        strong_passwords=settings.enable_strong_password_policy,
    )
    return Sessions(factory, keyring, config)


def build_mailer(settings: Settings) -> Mailer | None:
    """The SMTP sender, or ``None`` when ``PHOENIX_SMTP_HOSTNAME`` is unset."""
    smtp = settings.smtp
    if smtp is None:
        return None
    return Mailer(
        SmtpConfig(
            hostname=smtp.hostname,
            port=smtp.port,
            username=smtp.username,
            password=smtp.password,
            mail_from=smtp.mail_from,
            validate_certs=smtp.validate_certs,
        )
    )


def public_base_url(settings: Settings) -> str:
    """Links in mail come from configuration only, never from request headers."""
    if settings.root_url:
        return settings.root_url.rstrip("/")
    host = "localhost" if settings.host in ("0.0.0.0", "::", "") else settings.host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}{settings.host_root_path}"


def client_ip_of(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


def set_session_cookies(response: Response, settings: Settings, tokens: IssuedTokens) -> None:
    for name, value, ttl in (
        (ACCESS_COOKIE, tokens.access_token, settings.access_token_expiry),
        (REFRESH_COOKIE, tokens.refresh_token, settings.refresh_token_expiry),
    ):
        response.set_cookie(
            name,
            value,
            max_age=int(ttl.total_seconds()),
            path=settings.cookies_path,
            secure=settings.use_secure_cookies,
            httponly=True,
            samesite="strict",
        )


def delete_session_cookies(response: Response, settings: Settings) -> None:
    """Expire the session cookies with the same path and attributes they were set with."""
    for name in (ACCESS_COOKIE, REFRESH_COOKIE, *OAUTH2_COOKIES):
        response.delete_cookie(
            name,
            path=settings.cookies_path,
            secure=settings.use_secure_cookies,
            httponly=True,
            samesite="strict",
        )


async def send_reset_mail(settings: Settings, sessions: Sessions, mailer: Mailer, email: str) -> None:
    """Mail a reset link if ``email`` has an account. Run after the answer (the answer must be the
    same, and as fast, whether or not it has one), so a mail failure is only logged."""
    reset = await sessions.start_password_reset(email)
    if reset is None:
        return
    link = f"{public_base_url(settings)}/reset-password-with-token?token={reset.token}"
    subject, html_body, text_body = password_reset_message(link)
    try:
        await mailer.send(to=reset.email, subject=subject, html_body=html_body, text_body=text_body)
    except MailError as exc:
        logging.getLogger(__name__).error("Could not send the password-reset mail: %s", exc)
