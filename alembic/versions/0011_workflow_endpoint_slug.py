"""workflow.endpoint_slug: the slug of an `api_endpoint` trigger (`POST /api/run/<slug>`)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

A nullable column with a unique index: null for every workflow whose trigger is not an API
endpoint (all existing rows: the trigger type is new), the slug otherwise, so two workflows
can never answer the same address, even when saved at the same moment, and a call finds its
workflow through the index.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of `workflow` would cascade deletes (see 0002).
    op.add_column("workflow", sa.Column("endpoint_slug", sa.String(length=64), nullable=True))
    op.create_index("ix_workflow_endpoint_slug", "workflow", ["endpoint_slug"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_workflow_endpoint_slug", table_name="workflow")
    op.drop_column("workflow", "endpoint_slug")
