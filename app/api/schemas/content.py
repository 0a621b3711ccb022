"""Articles and their content versions."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.api.schemas import JsonObject, Out, Time


class ArticleSummary(Out):
    id: int
    title: str
    slug: str
    meta_description: str
    status: str
    tags: list[str]
    current_version: int
    published_at: Time
    created_by: int | None
    created_at: str
    updated_at: str


class Article(ArticleSummary):
    body: str


class ArticlePage(Out):
    items: list[ArticleSummary]
    total: int
    limit: int
    offset: int


class ContentVersionSummary(Out):
    id: int
    article_id: int
    version_number: int
    change_type: str
    change_description: str | None
    changed_by: int | None
    created_at: str
    commit_hash: str
    parent_hash: str | None
    git_commit: str | None
    restored_from: int | None
    meta: JsonObject | None
    diff: Any


class ContentVersion(ContentVersionSummary):
    snapshot: JsonObject


class ArticleHistory(Out):
    article_id: int
    items: list[ContentVersionSummary]
    total: int
    chain_ok: bool
    problems: list[Any]


class ArticleComparison(Out):
    article_id: int
    a: ContentVersion
    b: ContentVersion
    changed_fields: list[str]
    fields: Any
    body: list[Any]
    unified: list[Any]


class Reverted(Out):
    article: Article
    version: ContentVersion
    restored_fields: list[str] = Field(description="What came back from the version")
    status_kept: str = Field(description="The article's status, which a revert leaves as it is")
    note: str = Field(description="What the revert did, in words")
