"""execution: an index on (workflow_id, id) for a workflow's newest runs

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

The workflow list's run-history strips (`app.services.run_history`) and the Executions list
filtered by a workflow read a workflow's newest runs by id. The index on (workflow_id,
started_at) finds the runs but not in id order: SQLite sorted every run of the workflow
(20,000 of a million: ~30 ms each, 3 s for a page of strips). This one walks them newest first
and stops. Only an index: no row changes.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_execution_workflow_id", "execution", ["workflow_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_execution_workflow_id", table_name="execution")
