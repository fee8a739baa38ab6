"""sessions; trace, session and document annotations; annotation configs; retention policies

Revision ID: 0003_tracing_depth
Revises: 0002_tracing
Create Date: 2026-11-29 13:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pyrewatch.db.base import JsonType, UtcDateTime

revision: str = "0003_tracing_depth"
down_revision: str | None = "0002_tracing"
branch_labels: str | None = None
depends_on: str | None = None


def _annotation_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("metadata", JsonType, nullable=False),
        sa.Column("annotator_kind", sa.String(length=8), nullable=False),
        sa.Column("identifier", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
    ]


def _annotation_table(table: str, target: tuple[str, str], unique: list[str], names: tuple[str, str]) -> None:
    """Create an annotation table keyed to ``target`` = (column, referred table); ``names`` are
    its foreign key's and unique key's names."""
    column, referred = target
    extra = [sa.Column(column, sa.Integer(), nullable=False)]
    if table == "document_annotations":
        extra.append(sa.Column("document_position", sa.Integer(), nullable=False))
    op.create_table(
        table,
        *_annotation_columns(),
        *extra,
        sa.CheckConstraint("annotator_kind IN ('LLM', 'CODE', 'HUMAN')", name=op.f(f"ck_{table}_valid_annotator_kind")),
        sa.CheckConstraint("source IN ('API', 'APP')", name=op.f(f"ck_{table}_valid_source")),
        sa.ForeignKeyConstraint([column], [f"{referred}.id"], name=op.f(names[0]), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint(*unique, name=op.f(names[1])),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(f"ix_{table}_{column}", [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "project_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Text(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=True),
        sa.Column("start_time", UtcDateTime(), nullable=False),
        sa.Column("end_time", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_sessions_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_sessions")),
        sa.UniqueConstraint("session_id", name=op.f("uq_project_sessions_session_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("project_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_project_sessions_project_id_start_time", ["project_id", "start_time"], unique=False)
    with op.batch_alter_table("traces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("project_session_rowid", sa.Integer(), nullable=True))
        batch_op.create_index("ix_traces_project_session_rowid", ["project_session_rowid"], unique=False)
        batch_op.create_foreign_key(
            op.f("fk_traces_project_session_rowid_project_sessions"),
            "project_sessions",
            ["project_session_rowid"],
            ["id"],
            ondelete="CASCADE",
        )
    _annotation_table(
        "trace_annotations",
        ("trace_rowid", "traces"),
        ["name", "trace_rowid", "identifier"],
        ("fk_trace_annotations_trace_rowid_traces", "uq_trace_annotations_name_trace_rowid_identifier"),
    )
    _annotation_table(
        "project_session_annotations",
        ("project_session_id", "project_sessions"),
        ["name", "project_session_id", "identifier"],
        ("fk_project_session_annotations_session", "uq_project_session_annotations_target"),
    )
    _annotation_table(
        "document_annotations",
        ("span_rowid", "spans"),
        ["name", "span_rowid", "document_position", "identifier"],
        ("fk_document_annotations_span_rowid_spans", "uq_document_annotations_target"),
    )
    _annotation_configs()
    op.create_table(
        "project_retention_policies",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("max_age_days", sa.Integer(), nullable=True),
        sa.Column("max_spans", sa.Integer(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_retention_policies_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_retention_policies")),
    )


def _annotation_configs() -> None:
    op.create_table(
        "annotation_configs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("config", JsonType, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_configs")),
        sa.UniqueConstraint("name", name=op.f("uq_annotation_configs_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "project_annotation_configs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("annotation_config_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotation_config_id"],
            ["annotation_configs.id"],
            name=op.f("fk_project_annotation_configs_config"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_annotation_configs_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_annotation_configs")),
        sa.UniqueConstraint(
            "project_id",
            "annotation_config_id",
            name=op.f("uq_project_annotation_configs_project_id_annotation_config_id"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("project_annotation_configs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_project_annotation_configs_annotation_config_id", ["annotation_config_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("project_retention_policies")
    with op.batch_alter_table("project_annotation_configs", schema=None) as batch_op:
        batch_op.drop_index("ix_project_annotation_configs_annotation_config_id")
    op.drop_table("project_annotation_configs")
    op.drop_table("annotation_configs")
    for table, column in (
        ("document_annotations", "span_rowid"),
        ("project_session_annotations", "project_session_id"),
        ("trace_annotations", "trace_rowid"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_{column}")
        op.drop_table(table)
    with op.batch_alter_table("traces", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_traces_project_session_rowid_project_sessions"), type_="foreignkey")
        batch_op.drop_index("ix_traces_project_session_rowid")
        batch_op.drop_column("project_session_rowid")
    with op.batch_alter_table("project_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_project_sessions_project_id_start_time")
    op.drop_table("project_sessions")
