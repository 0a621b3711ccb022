"""Workflow templates: saved templates, their versions, and uses per template

Revision ID: 0008
Revises: 0007
Create Date: 2027-03-10

`workflow_template` holds a template someone saved (its newest document, version, where it came
from); `workflow_template_version` every version of it; `template_use` how many workflows were
created from a template, built-in or saved, by the template's id. Three new tables: no existing
row changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.db.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(name: str, target: str, ondelete: str, nullable: bool = True) -> sa.Column:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable
    )


def upgrade() -> None:
    op.create_table(
        "workflow_template",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("icon", sa.String(length=40), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("source_workflow_id", "workflow.id", "SET NULL"),
        _fk("created_by", "user.id", "SET NULL"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_workflow_template_slug", "workflow_template", ["slug"], unique=True)
    op.create_index("ix_workflow_template_name", "workflow_template", ["name"])
    op.create_index("ix_workflow_template_category", "workflow_template", ["category"])
    op.create_index(
        "ix_workflow_template_source_workflow_id", "workflow_template", ["source_workflow_id"]
    )
    op.create_index("ix_workflow_template_created_by", "workflow_template", ["created_by"])
    op.create_table(
        "workflow_template_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("template_id", "workflow_template.id", "CASCADE", nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        _fk("created_by", "user.id", "SET NULL"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("template_id", "version_number"),
    )
    op.create_index(
        "ix_workflow_template_version_template_id", "workflow_template_version", ["template_id"]
    )
    op.create_index(
        "ix_workflow_template_version_created_by", "workflow_template_version", ["created_by"]
    )
    op.create_table(
        "template_use",
        sa.Column("template_id", sa.String(length=64), primary_key=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("template_use")
    op.drop_table("workflow_template_version")
    op.drop_table("workflow_template")
