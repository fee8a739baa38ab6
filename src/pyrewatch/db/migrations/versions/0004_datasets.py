"""datasets, experiments and prompts

Revision ID: 0004_datasets
Revises: 0003_tracing_depth
Create Date: 2026-11-29 13:13:17

Independent of 0003: only tables of its own, referencing users and spans from 0001/0002.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pyrewatch.db.base import JsonType, UtcDateTime

revision: str = "0004_datasets"
down_revision: str | None = "0003_tracing_depth"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "dataset_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("color", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_labels")),
        sa.UniqueConstraint("name", name=op.f("uq_dataset_labels_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("metadata", JsonType, nullable=False),
        sa.Column("source_prompt_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_prompt_id"], ["prompts.id"], name=op.f("fk_prompts_source_prompt_id_prompts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompts")),
        sa.UniqueConstraint("name", name=op.f("uq_prompts_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "dataset_splits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("color", sa.String(length=32), nullable=False),
        sa.Column("metadata", JsonType, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dataset_splits_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_splits")),
        sa.UniqueConstraint("name", name=op.f("uq_dataset_splits_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("metadata", JsonType, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_datasets_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("name", name=op.f("uq_datasets_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "prompt_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prompt_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("template_type", sa.String(length=8), nullable=False),
        sa.Column("template_format", sa.String(length=16), nullable=False),
        sa.Column("template", JsonType, nullable=False),
        sa.Column("invocation_parameters", JsonType, nullable=False),
        sa.Column("tools", JsonType, nullable=True),
        sa.Column("response_format", JsonType, nullable=True),
        sa.Column("model_provider", sa.String(length=32), nullable=False),
        sa.Column("model_name", sa.String(length=255), nullable=False),
        sa.Column("metadata", JsonType, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "template_format IN ('MUSTACHE', 'F_STRING', 'NONE')", name=op.f("ck_prompt_versions_valid_template_format")
        ),
        sa.CheckConstraint("template_type IN ('CHAT', 'STR')", name=op.f("ck_prompt_versions_valid_template_type")),
        sa.ForeignKeyConstraint(
            ["prompt_id"], ["prompts.id"], name=op.f("fk_prompt_versions_prompt_id_prompts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_prompt_versions_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_versions")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("prompt_versions", schema=None) as batch_op:
        batch_op.create_index("ix_prompt_versions_prompt_id", ["prompt_id"], unique=False)

    op.create_table(
        "dataset_label_links",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("dataset_label_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_dataset_label_links_dataset_id_datasets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["dataset_label_id"],
            ["dataset_labels.id"],
            name=op.f("fk_dataset_label_links_dataset_label_id_dataset_labels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", "dataset_label_id", name=op.f("pk_dataset_label_links")),
    )
    with op.batch_alter_table("dataset_label_links", schema=None) as batch_op:
        batch_op.create_index("ix_dataset_label_links_dataset_label_id", ["dataset_label_id"], unique=False)

    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("metadata", JsonType, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_dataset_versions_dataset_id_datasets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dataset_versions_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_versions")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.create_index("ix_dataset_versions_dataset_id", ["dataset_id"], unique=False)

    op.create_table(
        "prompt_version_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prompt_id", sa.Integer(), nullable=False),
        sa.Column("prompt_version_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["prompt_id"], ["prompts.id"], name=op.f("fk_prompt_version_tags_prompt_id_prompts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["prompt_version_id"],
            ["prompt_versions.id"],
            name=op.f("fk_prompt_version_tags_prompt_version_id_prompt_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_prompt_version_tags_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_version_tags")),
        sa.UniqueConstraint("prompt_id", "name", name=op.f("uq_prompt_version_tags_prompt_id_name")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("prompt_version_tags", schema=None) as batch_op:
        batch_op.create_index("ix_prompt_version_tags_prompt_version_id", ["prompt_version_id"], unique=False)

    op.create_table(
        "dataset_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("span_rowid", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_dataset_examples_dataset_id_datasets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["span_rowid"], ["spans.id"], name=op.f("fk_dataset_examples_span_rowid_spans"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_examples")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("dataset_examples", schema=None) as batch_op:
        batch_op.create_index("ix_dataset_examples_dataset_id_external_id", ["dataset_id", "external_id"], unique=False)

    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("dataset_version_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("repetitions", sa.Integer(), nullable=False),
        sa.Column("metadata", JsonType, nullable=False),
        sa.Column("project_name", sa.String(length=255), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_experiments_dataset_id_datasets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"],
            ["dataset_versions.id"],
            name=op.f("fk_experiments_dataset_version_id_dataset_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_experiments_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.create_index("ix_experiments_dataset_id", ["dataset_id"], unique=False)

    op.create_table(
        "dataset_example_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_example_id", sa.Integer(), nullable=False),
        sa.Column("dataset_version_id", sa.Integer(), nullable=False),
        sa.Column("input", JsonType, nullable=False),
        sa.Column("output", JsonType, nullable=False),
        sa.Column("metadata", JsonType, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("revision_kind", sa.String(length=8), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.CheckConstraint(
            "revision_kind IN ('CREATE', 'PATCH', 'DELETE')",
            name=op.f("ck_dataset_example_revisions_valid_revision_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["dataset_example_id"],
            ["dataset_examples.id"],
            name=op.f("fk_dataset_example_revisions_dataset_example_id_dataset_examples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"],
            ["dataset_versions.id"],
            name=op.f("fk_dataset_example_revisions_dataset_version_id_dataset_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_example_revisions")),
        sa.UniqueConstraint(
            "dataset_example_id",
            "dataset_version_id",
            name=op.f("uq_dataset_example_revisions_dataset_example_id_dataset_version_id"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("dataset_example_revisions", schema=None) as batch_op:
        batch_op.create_index("ix_dataset_example_revisions_dataset_version_id", ["dataset_version_id"], unique=False)

    op.create_table(
        "dataset_split_examples",
        sa.Column("dataset_split_id", sa.Integer(), nullable=False),
        sa.Column("dataset_example_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_example_id"],
            ["dataset_examples.id"],
            name=op.f("fk_dataset_split_examples_dataset_example_id_dataset_examples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_split_id"],
            ["dataset_splits.id"],
            name=op.f("fk_dataset_split_examples_dataset_split_id_dataset_splits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_split_id", "dataset_example_id", name=op.f("pk_dataset_split_examples")),
    )
    with op.batch_alter_table("dataset_split_examples", schema=None) as batch_op:
        batch_op.create_index("ix_dataset_split_examples_dataset_example_id", ["dataset_example_id"], unique=False)

    op.create_table(
        "experiment_examples",
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("dataset_example_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_example_id"],
            ["dataset_examples.id"],
            name=op.f("fk_experiment_examples_dataset_example_id_dataset_examples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_experiment_examples_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("experiment_id", "dataset_example_id", name=op.f("pk_experiment_examples")),
    )
    op.create_table(
        "experiment_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("dataset_example_id", sa.Integer(), nullable=False),
        sa.Column("repetition_number", sa.Integer(), nullable=False),
        sa.Column("trace_id", sa.String(length=32), nullable=True),
        sa.Column("output", JsonType, nullable=False),
        sa.Column("start_time", UtcDateTime(), nullable=False),
        sa.Column("end_time", UtcDateTime(), nullable=False),
        sa.Column("prompt_token_count", sa.Integer(), nullable=True),
        sa.Column("completion_token_count", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_example_id"],
            ["dataset_examples.id"],
            name=op.f("fk_experiment_runs_dataset_example_id_dataset_examples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_experiment_runs_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_experiment_runs_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_runs")),
        sa.UniqueConstraint(
            "experiment_id",
            "dataset_example_id",
            "repetition_number",
            name=op.f("uq_experiment_runs_experiment_id_dataset_example_id_repetition_number"),
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "experiment_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_experiment_tags_dataset_id_datasets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_experiment_tags_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_experiment_tags_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_tags")),
        sa.UniqueConstraint("dataset_id", "name", name=op.f("uq_experiment_tags_dataset_id_name")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("experiment_tags", schema=None) as batch_op:
        batch_op.create_index("ix_experiment_tags_experiment_id", ["experiment_id"], unique=False)

    op.create_table(
        "experiment_run_annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("experiment_run_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("annotator_kind", sa.String(length=8), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("trace_id", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("metadata", JsonType, nullable=False),
        sa.Column("start_time", UtcDateTime(), nullable=False),
        sa.Column("end_time", UtcDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "annotator_kind IN ('LLM', 'CODE', 'HUMAN')",
            name=op.f("ck_experiment_run_annotations_valid_annotator_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["experiment_run_id"],
            ["experiment_runs.id"],
            name=op.f("fk_experiment_run_annotations_experiment_run_id_experiment_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_experiment_run_annotations_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_run_annotations")),
        sa.UniqueConstraint(
            "experiment_run_id", "name", name=op.f("uq_experiment_run_annotations_experiment_run_id_name")
        ),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("experiment_run_annotations")
    with op.batch_alter_table("experiment_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_experiment_tags_experiment_id")

    op.drop_table("experiment_tags")
    op.drop_table("experiment_runs")
    op.drop_table("experiment_examples")
    with op.batch_alter_table("dataset_split_examples", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_split_examples_dataset_example_id")

    op.drop_table("dataset_split_examples")
    with op.batch_alter_table("dataset_example_revisions", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_example_revisions_dataset_version_id")

    op.drop_table("dataset_example_revisions")
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_index("ix_experiments_dataset_id")

    op.drop_table("experiments")
    with op.batch_alter_table("dataset_examples", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_examples_dataset_id_external_id")

    op.drop_table("dataset_examples")
    with op.batch_alter_table("prompt_version_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_prompt_version_tags_prompt_version_id")

    op.drop_table("prompt_version_tags")
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_versions_dataset_id")

    op.drop_table("dataset_versions")
    with op.batch_alter_table("dataset_label_links", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_label_links_dataset_label_id")

    op.drop_table("dataset_label_links")
    with op.batch_alter_table("prompt_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_prompt_versions_prompt_id")

    op.drop_table("prompt_versions")
    op.drop_table("datasets")
    op.drop_table("dataset_splits")
    op.drop_table("prompts")
    op.drop_table("dataset_labels")
