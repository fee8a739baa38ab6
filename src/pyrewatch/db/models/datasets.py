"""Datasets: versions, examples with their revisions, splits and labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pyrewatch.clock import now_utc
from pyrewatch.db.base import Base


class Dataset(Base):
    __tablename__ = "datasets"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    # "metadata" is reserved by SQLAlchemy's declarative base.
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class DatasetVersion(Base):
    __tablename__ = "dataset_versions"
    __table_args__ = (Index("ix_dataset_versions_dataset_id", "dataset_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class DatasetExample(Base):
    """A stable example row; its content lives in revisions, one per version that changed it."""

    __tablename__ = "dataset_examples"
    __table_args__ = (
        Index("ix_dataset_examples_dataset_id_external_id", "dataset_id", "external_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(255), default=None)
    span_rowid: Mapped[int | None] = mapped_column(ForeignKey("spans.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class DatasetExampleRevision(Base):
    __tablename__ = "dataset_example_revisions"
    __table_args__ = (
        UniqueConstraint("dataset_example_id", "dataset_version_id"),
        CheckConstraint("revision_kind IN ('CREATE', 'PATCH', 'DELETE')", name="valid_revision_kind"),
        Index("ix_dataset_example_revisions_dataset_version_id", "dataset_version_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_example_id: Mapped[int] = mapped_column(ForeignKey("dataset_examples.id", ondelete="CASCADE"))
    dataset_version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id", ondelete="CASCADE"))
    input: Mapped[dict[str, Any]] = mapped_column()
    output: Mapped[dict[str, Any]] = mapped_column()
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    # SHA-256 over input, output and metadata: how uploads without ids find unchanged examples.
    content_hash: Mapped[str] = mapped_column(String(64))
    revision_kind: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class DatasetSplit(Base):
    __tablename__ = "dataset_splits"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    color: Mapped[str] = mapped_column(String(32), default="#808080")
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class DatasetSplitExample(Base):
    """Split membership: not versioned, as in Phoenix."""

    __tablename__ = "dataset_split_examples"
    __table_args__ = (Index("ix_dataset_split_examples_dataset_example_id", "dataset_example_id"),)

    dataset_split_id: Mapped[int] = mapped_column(ForeignKey("dataset_splits.id", ondelete="CASCADE"), primary_key=True)
    dataset_example_id: Mapped[int] = mapped_column(
        ForeignKey("dataset_examples.id", ondelete="CASCADE"), primary_key=True
    )


class DatasetLabel(Base):
    __tablename__ = "dataset_labels"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    color: Mapped[str] = mapped_column(String(32))


class DatasetLabelLink(Base):
    __tablename__ = "dataset_label_links"
    __table_args__ = (Index("ix_dataset_label_links_dataset_label_id", "dataset_label_id"),)

    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)
    dataset_label_id: Mapped[int] = mapped_column(ForeignKey("dataset_labels.id", ondelete="CASCADE"), primary_key=True)
