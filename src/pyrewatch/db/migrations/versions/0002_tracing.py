"""projects, traces, spans and annotations

Revision ID: 0002_tracing
Revises: 0001_identity
Create Date: 2026-11-27 14:09:40.534490
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from pyrewatch.db.base import JsonType, UtcDateTime

revision: str = "0002_tracing"
down_revision: str | None = "0001_identity"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("name", name=op.f("uq_projects_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "traces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("trace_id", sa.String(length=32), nullable=False),
        sa.Column("start_time", UtcDateTime(), nullable=False),
        sa.Column("end_time", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_traces_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_traces")),
        sa.UniqueConstraint("trace_id", name=op.f("uq_traces_trace_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("traces", schema=None) as batch_op:
        batch_op.create_index("ix_traces_project_id_start_time", ["project_id", "start_time"], unique=False)

    op.create_table(
        "spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trace_rowid", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("span_id", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.String(length=16), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("span_kind", sa.String(length=16), nullable=False),
        sa.Column("start_time", UtcDateTime(), nullable=False),
        sa.Column("end_time", UtcDateTime(), nullable=False),
        sa.Column("attributes", JsonType, nullable=False),
        sa.Column("events", JsonType, nullable=False),
        sa.Column("status_code", sa.String(length=5), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=False),
        sa.Column("llm_token_count_prompt", sa.Integer(), nullable=True),
        sa.Column("llm_token_count_completion", sa.Integer(), nullable=True),
        sa.Column("cumulative_error_count", sa.Integer(), nullable=False),
        sa.Column("cumulative_llm_token_count_prompt", sa.Integer(), nullable=False),
        sa.Column("cumulative_llm_token_count_completion", sa.Integer(), nullable=False),
        sa.CheckConstraint("status_code IN ('OK', 'ERROR', 'UNSET')", name=op.f("ck_spans_valid_status_code")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_spans_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["trace_rowid"], ["traces.id"], name=op.f("fk_spans_trace_rowid_traces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spans")),
        sa.UniqueConstraint("span_id", name=op.f("uq_spans_span_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("spans", schema=None) as batch_op:
        batch_op.create_index("ix_spans_parent_id", ["parent_id"], unique=False)
        batch_op.create_index("ix_spans_project_id_start_time", ["project_id", "start_time"], unique=False)
        batch_op.create_index("ix_spans_trace_rowid", ["trace_rowid"], unique=False)

    op.create_table(
        "span_annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("span_rowid", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("metadata", JsonType, nullable=False),
        sa.Column("annotator_kind", sa.String(length=8), nullable=False),
        sa.Column("identifier", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "annotator_kind IN ('LLM', 'CODE', 'HUMAN')", name=op.f("ck_span_annotations_valid_annotator_kind")
        ),
        sa.CheckConstraint("source IN ('API', 'APP')", name=op.f("ck_span_annotations_valid_source")),
        sa.ForeignKeyConstraint(
            ["span_rowid"], ["spans.id"], name=op.f("fk_span_annotations_span_rowid_spans"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_span_annotations_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_span_annotations")),
        sa.UniqueConstraint(
            "name", "span_rowid", "identifier", name=op.f("uq_span_annotations_name_span_rowid_identifier")
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("span_annotations", schema=None) as batch_op:
        batch_op.create_index("ix_span_annotations_span_rowid", ["span_rowid"], unique=False)
    # The default project exists from the start (id 1, like Phoenix's) and cannot be deleted.
    projects = sa.table(
        "projects",
        sa.column("name"),
        sa.column("description"),
        sa.column("created_at", UtcDateTime()),
        sa.column("updated_at", UtcDateTime()),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        projects, [{"name": "default", "description": "Default project", "created_at": now, "updated_at": now}]
    )


def downgrade() -> None:
    with op.batch_alter_table("span_annotations", schema=None) as batch_op:
        batch_op.drop_index("ix_span_annotations_span_rowid")

    op.drop_table("span_annotations")
    with op.batch_alter_table("spans", schema=None) as batch_op:
        batch_op.drop_index("ix_spans_trace_rowid")
        batch_op.drop_index("ix_spans_project_id_start_time")
        batch_op.drop_index("ix_spans_parent_id")

    op.drop_table("spans")
    with op.batch_alter_table("traces", schema=None) as batch_op:
        batch_op.drop_index("ix_traces_project_id_start_time")

    op.drop_table("traces")
    op.drop_table("projects")
