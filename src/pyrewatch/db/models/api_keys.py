"""API keys: only a digest of the secret part is stored (see docs/api-keys.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pyrewatch.clock import now_utc
from pyrewatch.db.base import Base


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("kind IN ('SYSTEM', 'USER')", name="valid_kind"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public part of the key, embedded in it; used to find the row without scanning.
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    # SHA-256 (hex) of the secret part of the key.
    secret_digest: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    # Owner: the system user for system keys, the person for user keys.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Who minted it (kept when that user is deleted); NULL with created_via ADMIN_SECRET.
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_via: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(2000), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # {"scopes": ["ingest", "read"]}: what the key may do, within its owner's role. NULL: the
    # owner's full role.
    scopes: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # {"names": ["my-app"]}: the projects the key is bound to. NULL: every project.
    projects: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # The key that replaced this one in a rotation.
    replaced_by_id: Mapped[int | None] = mapped_column(default=None)
