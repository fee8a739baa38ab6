"""Who is making a request, as every transport sees it after authentication."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SYSTEM = "SYSTEM"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"
    VIEWER = "VIEWER"


# Roles a person can be given (SYSTEM belongs to the system user alone), in display order.
ASSIGNABLE_ROLES = (Role.ADMIN, Role.MEMBER, Role.VIEWER)


class Via(StrEnum):
    """How the principal authenticated."""

    ANONYMOUS = "ANONYMOUS"  # no credential while auth is on: only public routes
    AUTH_DISABLED = "AUTH_DISABLED"  # auth is off: data is open, credentials are not managed
    SESSION = "SESSION"  # access token from /auth/login (cookie or bearer)
    USER_KEY = "USER_KEY"
    SYSTEM_KEY = "SYSTEM_KEY"
    ADMIN_SECRET = "ADMIN_SECRET"  # PHOENIX_ADMIN_SECRET as a bearer token


@dataclass(frozen=True)
class Principal:
    via: Via
    user_id: int | None = None
    role: Role | None = None
    # The API key row id or the session id behind the credential, for audit and revocation.
    credential_id: int | None = None
    must_reset_password: bool = False
    # Where the request came from (TCP peer), for the audit trail.
    client_ip: str | None = None
    # A scoped API key: the scopes it carries ("ingest", "read"); None is the owner's full role.
    scopes: frozenset[str] | None = None
    # A project-bound API key: the project names it may ingest into and read; None is every one.
    projects: frozenset[str] | None = None
    # The request's id (``x-request-id``), for the audit trail.
    request_id: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.via is not Via.ANONYMOUS

    @property
    def is_admin(self) -> bool:
        """Admin authority: the admin secret, or an ADMIN user through a session or their own key."""
        if self.via is Via.ADMIN_SECRET:
            return True
        return self.role is Role.ADMIN and self.via in (Via.SESSION, Via.USER_KEY)

    @property
    def is_viewer(self) -> bool:
        return self.role is Role.VIEWER and self.via in (Via.SESSION, Via.USER_KEY)

    @property
    def is_api_key(self) -> bool:
        return self.via in (Via.USER_KEY, Via.SYSTEM_KEY)

    @property
    def is_system(self) -> bool:
        """Acts as the system user: a system key or the admin secret."""
        return self.via in (Via.SYSTEM_KEY, Via.ADMIN_SECRET)


ANONYMOUS = Principal(via=Via.ANONYMOUS)
AUTH_DISABLED = Principal(via=Via.AUTH_DISABLED)
