"""workflow.on_failure_workflow_id: the workflow to run when a run of this one fails

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

A nullable integer with an index, null for every existing workflow (none had one). A plain
number, not a foreign key: SQLite cannot add a column with a foreign key in a form its
reflection reads back, and a batch copy of `workflow` would cascade deletes (see 0002, 0004).
A target deleted later is skipped when a failure would start it.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("workflow", sa.Column("on_failure_workflow_id", sa.Integer(), nullable=True))
    op.create_index(
        "ix_workflow_on_failure_workflow_id", "workflow", ["on_failure_workflow_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_workflow_on_failure_workflow_id", table_name="workflow")
    op.drop_column("workflow", "on_failure_workflow_id")
