"""Articles as the engine's content actions see them, and the one writer of content versions.

Layering is services → engine, never back, so what both the article service and the content
actions (publish, optimize, git_commit, share) need lives here: an article's snapshot and public
view, the metadata its commit hash covers, appending the next hashed `ContentVersion`, and a
free slug. `app.services.articles` and `app.services.content_versions` import these.

The action-side functions at the bottom are one short transaction each (actions call them in a
worker thread). They apply the same rules as the service (`app.core.articles`): only a `ready`
article can be published, slugs stay unique. A version written by a run is credited to whoever
started the run and carries `{"execution_id", "workflow_id"}` in its metadata.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlmodel import Session, select

from app.core.articles import ArticleStatus, check_move, clean_changes
from app.core.errors import NotFound, Problem, ValidationFailed
from app.core.redact import redact
from app.core.versioning import commit_hash, field_diff, line_diff
from app.db.engine import session_scope
from app.db.models import Article, ContentVersion, Execution
from app.db.types import utcnow

SNAPSHOT_FIELDS = ("title", "slug", "body", "meta_description", "status", "tags")
STORED_CONTEXT = 3  # unchanged lines kept around each change in a stored body diff


class ChangeType(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    PUBLISHED = "published"
    REVERTED = "reverted"


def snapshot_of(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "slug": article.slug,
        "body": article.body,
        "meta_description": article.meta_description,
        "status": str(article.status),
        "tags": list(article.tags),
    }


def without_body(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot's fields other than the body (diffed field by field, not by line)."""
    return {k: v for k, v in snapshot.items() if k != "body"}


def article_public(article: Article, *, with_body: bool = True) -> dict[str, Any]:
    """An article as the API, the UI and action outputs show it."""
    public = {
        "id": article.id,
        "title": article.title,
        "slug": article.slug,
        "meta_description": article.meta_description,
        "status": article.status,
        "tags": list(article.tags),
        "current_version": article.current_version,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "created_by": article.created_by,
        "created_at": article.created_at.isoformat(),
        "updated_at": article.updated_at.isoformat(),
    }
    if with_body:
        public["body"] = article.body
    return public


def hash_meta(version: ContentVersion) -> dict[str, Any]:
    """The metadata covered by the commit hash (everything but the later `git_commit`)."""
    return {
        "article_id": version.article_id,
        "version_number": version.version_number,
        "change_type": version.change_type,
        "change_description": version.change_description,
        "changed_by": version.changed_by,
        "meta": version.meta,
        "restored_from": version.restored_from,
        "created_at": version.created_at.isoformat(),
    }


def latest_version(session: Session, article_id: int) -> ContentVersion | None:
    return session.exec(
        select(ContentVersion)
        .where(ContentVersion.article_id == article_id)
        .order_by(ContentVersion.version_number.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()


def append_version(
    session: Session,
    article: Article,
    change_type: ChangeType,
    *,
    changed_by: int | None,
    description: str = "",
    meta: dict[str, Any] | None = None,
    restored_from: int | None = None,
) -> ContentVersion:
    """Append the next version of `article` (already flushed, so it has an id)."""
    parent = latest_version(session, article.id or 0)
    snapshot = snapshot_of(article)
    diff: dict[str, Any] = {}
    if parent is not None:
        diff = {
            "fields": field_diff(without_body(parent.snapshot), without_body(snapshot)),
            "body": line_diff(parent.snapshot.get("body", ""), snapshot["body"], STORED_CONTEXT),
        }
    version = ContentVersion(
        article_id=article.id or 0,
        version_number=1 if parent is None else parent.version_number + 1,
        snapshot=snapshot,
        change_type=change_type.value,
        change_description=(description or change_type.value)[:2000],
        changed_by=changed_by,
        meta=redact(meta or {}),
        parent_hash=parent.commit_hash if parent else None,
        restored_from=restored_from,
        diff=diff,
        created_at=utcnow(),
        commit_hash="",
    )
    version.commit_hash = commit_hash(snapshot, version.parent_hash, hash_meta(version))
    article.current_version = version.version_number
    session.add(version)
    return version


def free_slug(session: Session, wanted: str, *, article_id: int | None = None) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`, … whichever no other article uses."""
    query = select(Article.slug).where(Article.slug.startswith(wanted))  # type: ignore[attr-defined]
    if article_id is not None:
        query = query.where(Article.id != article_id)
    taken = set(session.exec(query).all())
    slug, number = wanted, 1
    while slug in taken:
        number += 1
        slug = f"{wanted}-{number}"
    return slug


# -- what the content actions do ---------------------------------------------------------------


def target_article_id(configured: int | None, trigger: dict[str, Any]) -> int:
    """The article an action works on: its config's, else the trigger's `article_id`."""
    if configured is not None:
        return configured
    found = trigger.get("article_id") if isinstance(trigger, dict) else None
    if isinstance(found, int) and not isinstance(found, bool):
        return found
    if isinstance(found, str) and found.strip().isdigit():
        return int(found)
    raise ValidationFailed(
        [Problem("config.article", "required: no article id in the config or the trigger")]
    )


def _article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"article {article_id} does not exist")
    return article


def _run_by(session: Session, execution_id: int) -> int | None:
    execution = session.get(Execution, execution_id)
    return execution.created_by if execution is not None else None


def _version_info(version: ContentVersion) -> dict[str, Any]:
    return {
        "version_number": version.version_number,
        "change_type": version.change_type,
        "commit_hash": version.commit_hash,
        "git_commit": version.git_commit,
    }


def read_article(article_id: int) -> dict[str, Any]:
    """The article (with body) and its latest version under `version`."""
    with session_scope() as session:
        article = _article(session, article_id)
        latest = latest_version(session, article_id)
        public = article_public(article)
        public["version"] = _version_info(latest) if latest else None
        return public


def publish_article(article_id: int, *, execution_id: int, workflow_id: int) -> dict[str, Any]:
    """Set a `ready` article published with a `published` version, once.

    An article already published whose latest version is a `published` one is left as it is
    (`already_published`), so a retried or repeated run does not pile up identical versions.
    `moved` says whether the status changed (the caller then announces it on the bus).
    """
    with session_scope() as session:
        article = _article(session, article_id)
        previous = ArticleStatus(article.status)
        latest = latest_version(session, article_id)
        if previous == ArticleStatus.PUBLISHED and latest and latest.change_type == "published":
            public = article_public(article)
            done = {"already_published": True, "moved": False, "previous_status": previous.value}
            return {**public, **_version_info(latest), **done}
        check_move(previous, ArticleStatus.PUBLISHED)
        article.status = ArticleStatus.PUBLISHED
        article.updated_at = utcnow()
        if previous != ArticleStatus.PUBLISHED:
            article.published_at = article.updated_at
        version = append_version(
            session,
            article,
            ChangeType.PUBLISHED,
            changed_by=_run_by(session, execution_id),
            description=f"published by workflow {workflow_id} (execution {execution_id})",
            meta={"execution_id": execution_id, "workflow_id": workflow_id},
        )
        session.flush()
        public = article_public(article)
        moved = previous != ArticleStatus.PUBLISHED
        done = {"already_published": False, "moved": moved, "previous_status": previous.value}
        return {**public, **_version_info(version), **done}


def edit_article(
    article_id: int,
    changes: dict[str, Any],
    *,
    execution_id: int,
    workflow_id: int,
    description: str,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Apply `changes` (checked as the service checks edits) as one `edited` version.

    Returns the new version's number and hashes, or None when nothing really changed. A slug
    that another article uses gets a `-2`-style suffix instead of failing the run.
    """
    clean = clean_changes(changes)
    with session_scope() as session:
        article = _article(session, article_id)
        if "slug" in clean and clean["slug"] != article.slug:
            clean["slug"] = free_slug(session, clean["slug"], article_id=article_id)
        edited = sorted(k for k, v in clean.items() if getattr(article, k) != v)
        if not edited:
            return None
        for key in edited:
            setattr(article, key, clean[key])
        article.updated_at = utcnow()
        version = append_version(
            session,
            article,
            ChangeType.EDITED,
            changed_by=_run_by(session, execution_id),
            description=description,
            meta={"execution_id": execution_id, "workflow_id": workflow_id, **(meta or {})},
        )
        session.flush()
        return {**_version_info(version), "fields": edited}


def record_git_commit(article_id: int, version_number: int, commit: str) -> None:
    """Note the real git commit that holds a version (not part of the version's hash)."""
    with session_scope() as session:
        version = session.exec(
            select(ContentVersion).where(
                ContentVersion.article_id == article_id,
                ContentVersion.version_number == version_number,
            )
        ).first()
        if version is None:
            raise NotFound(f"article {article_id} has no version {version_number}")
        version.git_commit = commit
        session.add(version)
