"""Durable waits, approvals, for_each items, and sub-workflow links

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-20

Graph workflows wait without holding a task: a `step_wait` row says what wakes a waiting step
(a time, a resume token, a child run, an approval), `approval` records who may decide and what
was decided, `step_item` records each item of a `for_each` step. An execution started by a
`sub_workflow` step points at its parent run and step, with its depth. Existing executions are
top-level runs (depth 0, no parent); no other row changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.db.types import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(name: str, target: str, ondelete: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def _step_fk(unique: bool) -> sa.Column:
    return sa.Column(
        "step_id",
        sa.Integer(),
        sa.ForeignKey("execution_step.id", ondelete="CASCADE"),
        nullable=False,
        unique=unique,
    )


def upgrade() -> None:
    # Plain ADD COLUMNs: a batch copy of `execution` would cascade deletes (see 0002).
    # The parent link is a plain number: SQLite cannot add a column with a foreign key in a form
    # its reflection reads back, and the parent's `step_wait.child_execution_id` is the real link.
    op.add_column("execution", sa.Column("parent_execution_id", sa.Integer(), nullable=True))
    op.add_column("execution", sa.Column("parent_step", sa.String(length=64), nullable=True))
    op.add_column(
        "execution", sa.Column("depth", sa.Integer(), nullable=False, server_default="0")
    )
    op.create_index(
        "ix_execution_parent_execution_id", "execution", ["parent_execution_id"], unique=False
    )

    op.create_table(
        "step_wait",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("execution_id", "execution.id", "CASCADE", nullable=False),
        _step_fk(unique=True),
        sa.Column("action_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resume_at", UTCDateTime(), nullable=True),
        _fk("child_execution_id", "execution.id", "SET NULL"),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("output", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=5000), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_step_wait_execution_id", "step_wait", ["execution_id"])
    op.create_index("ix_step_wait_child_execution_id", "step_wait", ["child_execution_id"])
    op.create_index("ix_step_wait_due", "step_wait", ["status", "resume_at"])

    op.create_table(
        "approval",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("execution_id", "execution.id", "CASCADE", nullable=False),
        _step_fk(unique=True),
        _fk("workflow_id", "workflow.id", "CASCADE", nullable=False),
        sa.Column("action_id", sa.String(length=64), nullable=False),
        sa.Column("message", sa.String(length=5000), nullable=False),
        sa.Column("approvers", sa.JSON(), nullable=False),
        sa.Column("deadline", UTCDateTime(), nullable=True),
        sa.Column("on_timeout", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _fk("decided_by", "user.id", "SET NULL"),
        sa.Column("decided_by_label", sa.String(length=320), nullable=True),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_approval_execution_id", "approval", ["execution_id"])
    op.create_index("ix_approval_workflow_id", "approval", ["workflow_id"])
    op.create_index("ix_approval_decided_by", "approval", ["decided_by"])
    op.create_index("ix_approval_deadline", "approval", ["deadline"])
    op.create_index("ix_approval_status_created", "approval", ["status", "created_at"])

    op.create_table(
        "step_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("step_id", "execution_step.id", "CASCADE", nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=5000), nullable=True),
        sa.Column("output", sa.JSON(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.UniqueConstraint("step_id", "position"),
    )


def downgrade() -> None:
    op.drop_table("step_item")
    op.drop_table("approval")
    op.drop_table("step_wait")
    op.drop_index("ix_execution_parent_execution_id", table_name="execution")
    # Plain DROP COLUMNs (SQLite 3.35+ and PostgreSQL): a batch copy would cascade deletes.
    op.drop_column("execution", "depth")
    op.drop_column("execution", "parent_step")
    op.drop_column("execution", "parent_execution_id")
