from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, false
from sqlalchemy.orm import Mapped, mapped_column

from pyrewatch.auth.principal import Role
from pyrewatch.clock import now_utc
from pyrewatch.db.base import Base

ROLE_NAMES = tuple(role.value for role in Role)
AUTH_METHODS = ("LOCAL", "OAUTH2", "LDAP")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(name) for name in ROLE_NAMES)})", name="valid_role"),
        CheckConstraint("auth_method IN ('LOCAL', 'OAUTH2', 'LDAP')", name="valid_auth_method"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    auth_method: Mapped[str] = mapped_column(String(16), default="LOCAL")
    # Argon2id PHC string; NULL means password login is impossible for this user.
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    reset_password: Mapped[bool] = mapped_column(default=False)
    # Managed by PYREWATCH_PROVISIONING_FILE (see docs/provisioning.md).
    provisioned: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)
