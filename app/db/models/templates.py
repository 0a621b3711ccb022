"""Saved workflow templates, their versions, and how often each template (built-in or saved)
was used to create a workflow. The document format is `app.core.workflow_templates`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db.types import fk_column, json_column, ts_column, utcnow


class WorkflowTemplate(SQLModel, table=True):
    """A template someone saved; `document` is its newest version."""

    __tablename__ = "workflow_template"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200, index=True)
    description: str = Field(default="", max_length=2000)
    category: str = Field(max_length=16, index=True)
    icon: str = Field(default="file-text", max_length=40)
    document: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    version: int = 1
    source_workflow_id: int | None = Field(
        default=None, sa_column=fk_column("workflow.id", ondelete="SET NULL")
    )
    created_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))


class WorkflowTemplateVersion(SQLModel, table=True):
    """Every version of a saved template, the first one included."""

    __tablename__ = "workflow_template_version"
    __table_args__ = (sa.UniqueConstraint("template_id", "version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(
        sa_column=fk_column("workflow_template.id", ondelete="CASCADE", nullable=False)
    )
    version_number: int
    document: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    created_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))


class TemplateUse(SQLModel, table=True):
    """How many workflows were created from a template (built-in or saved), by its id."""

    __tablename__ = "template_use"

    template_id: str = Field(max_length=64, primary_key=True)
    uses: int = 0
    last_used_at: datetime | None = Field(default=None, sa_column=ts_column())
