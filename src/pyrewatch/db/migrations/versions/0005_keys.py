"""scoped and project-bound api keys, key rotation, richer audit events, provisioned users

Revision ID: 0005_keys
Revises: 0004_datasets
Create Date: 2026-11-29 14:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pyrewatch.db.base import JsonType

revision: str = "0005_keys"
down_revision: str | None = "0004_datasets"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        # Project names the key is bound to; NULL means every project its owner may use.
        batch_op.add_column(sa.Column("projects", JsonType, nullable=True))
        # The key that replaced this one in a rotation (plain integer: history outlives rows).
        batch_op.add_column(sa.Column("replaced_by_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=False, server_default="success"))
        batch_op.add_column(sa.Column("actor_key_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_audit_events_action", ["action"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        # Managed by PYREWATCH_PROVISIONING_FILE: updated and removed by it, and only by it.
        batch_op.add_column(sa.Column("provisioned", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("provisioned")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_action")
        batch_op.drop_column("request_id")
        batch_op.drop_column("actor_key_id")
        batch_op.drop_column("outcome")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("replaced_by_id")
        batch_op.drop_column("projects")
