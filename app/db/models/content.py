"""Articles and their version history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db.types import fk_column, json_column, ts_column, utcnow


class Article(SQLModel, table=True):
    __tablename__ = "article"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300, index=True)
    slug: str = Field(max_length=300, unique=True, index=True)
    body: str = Field(default="")
    meta_description: str = Field(default="", max_length=1000)
    status: str = Field(default="draft", max_length=16, index=True)
    tags: list[str] = Field(default_factory=list, sa_column=json_column(list))
    current_version: int = 0
    published_at: datetime | None = Field(default=None, sa_column=ts_column())
    created_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=ts_column(nullable=False, index=True)
    )


class ContentVersion(SQLModel, table=True):
    __tablename__ = "content_version"
    __table_args__ = (sa.UniqueConstraint("article_id", "version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(sa_column=fk_column("article.id", ondelete="CASCADE", nullable=False))
    version_number: int
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    change_type: str = Field(max_length=16)
    change_description: str = Field(default="", max_length=2000)
    changed_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    commit_hash: str = Field(max_length=64, index=True)
    parent_hash: str | None = Field(default=None, max_length=64)
    git_commit: str | None = Field(default=None, max_length=64)
    restored_from: int | None = None
    diff: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=ts_column(nullable=False, index=True)
    )
