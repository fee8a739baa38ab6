"""Prompts: immutable versions and per-prompt tags that point at one version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pyrewatch.clock import now_utc
from pyrewatch.db.base import Base


class Prompt(Base):
    __tablename__ = "prompts"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    source_prompt_id: Mapped[int | None] = mapped_column(ForeignKey("prompts.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class PromptVersion(Base):
    __tablename__ = "prompt_versions"
    __table_args__ = (
        CheckConstraint("template_type IN ('CHAT', 'STR')", name="valid_template_type"),
        CheckConstraint("template_format IN ('MUSTACHE', 'F_STRING', 'NONE')", name="valid_template_format"),
        Index("ix_prompt_versions_prompt_id", "prompt_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("prompts.id", ondelete="CASCADE"))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    template_type: Mapped[str] = mapped_column(String(8))
    template_format: Mapped[str] = mapped_column(String(16))
    template: Mapped[dict[str, Any]] = mapped_column()
    invocation_parameters: Mapped[dict[str, Any]] = mapped_column()
    tools: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    response_format: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    model_provider: Mapped[str] = mapped_column(String(32))
    model_name: Mapped[str] = mapped_column(String(255))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class PromptVersionTag(Base):
    __tablename__ = "prompt_version_tags"
    __table_args__ = (
        UniqueConstraint("prompt_id", "name"),
        Index("ix_prompt_version_tags_prompt_version_id", "prompt_version_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("prompts.id", ondelete="CASCADE"))
    prompt_version_id: Mapped[int] = mapped_column(ForeignKey("prompt_versions.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
