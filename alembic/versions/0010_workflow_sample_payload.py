"""workflow.sample_payload: a pinned sample trigger payload (template help, "Test step")

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

A nullable JSON column: null means no sample is pinned (the picker and "Test step" then use the
last run's trigger payload). It is not part of the workflow's definition, so versions and their
diffs do not change. Existing rows get null; nothing else changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of `workflow` would cascade deletes (see 0002).
    op.add_column("workflow", sa.Column("sample_payload", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("workflow", "sample_payload")
