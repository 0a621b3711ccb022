"""incident: a small built-in incident record with a timeline

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

A new table only (title, description, severity, status, assignee, a unique dedup key for the
step that opened it, timeline and mirror results as JSON, the workflow and execution that
opened it, who, when). Nothing existing changes; downgrade drops the table.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.db.types import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(name: str, target: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete="SET NULL"), nullable=True)


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(length=320), nullable=True),
        sa.Column("dedup_key", sa.String(length=200), nullable=True),
        sa.Column("timeline", sa.JSON(), nullable=False),
        sa.Column("mirrors", sa.JSON(), nullable=False),
        _fk("workflow_id", "workflow.id"),
        _fk("execution_id", "execution.id"),
        _fk("created_by", "user.id"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
    )
    for column in ("severity", "status", "assignee", "workflow_id", "execution_id",
                   "created_by", "created_at"):  # fmt: skip
        op.create_index(f"ix_incident_{column}", "incident", [column])
    op.create_index("ix_incident_dedup_key", "incident", ["dedup_key"], unique=True)


def downgrade() -> None:
    op.drop_table("incident")
