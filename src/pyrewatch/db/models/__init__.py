"""ORM models, one module per aggregate. Importing this package registers every table."""

from pyrewatch.db.models.api_keys import ApiKey
from pyrewatch.db.models.audit import AuditEvent
from pyrewatch.db.models.sessions import AccessToken, AuthSession, LoginFailure, PasswordResetToken, RefreshToken
from pyrewatch.db.models.tracing import Project, Span, SpanAnnotation, Trace
from pyrewatch.db.models.users import User

__all__ = [
    "AccessToken",
    "ApiKey",
    "AuditEvent",
    "AuthSession",
    "LoginFailure",
    "PasswordResetToken",
    "Project",
    "RefreshToken",
    "Span",
    "SpanAnnotation",
    "Trace",
    "User",
]
