"""Articles: the content that publish, share and optimize act on, with a version per change.

Statuses go draft → ready → published → archived (rules in `app.core.articles`). Every
create, edit, publish and status change writes a content version (see `content_versions`) and
an audit row in the same transaction. A status change is published on the bus as
`article.status_changed` and as `article.<status>` (e.g. `article.ready`), the internal events
that `event` and `publish` triggers listen to. Actions that change content pass `meta` (e.g.
`{"execution_id", "workflow_id"}`), which is stored on the version.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, func, select

from app.core.articles import (
    EDITABLE,
    ArticleStatus,
    check_move,
    clean_changes,
    parse_status,
    slugify,
    unknown_fields,
)
from app.core.errors import NotFound, Problem, ValidationFailed
from app.db.engine import session_scope
from app.db.models import Article
from app.db.portable import contains_text
from app.db.types import utcnow
from app.engine.bus import bus
from app.engine.content import ChangeType, article_public, free_slug
from app.services import audit, content_versions
from app.services.actor import Actor

to_public = article_public  # the article's public view (shared with the engine)


def _get(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"article {article_id} does not exist")
    return article


def create_article(
    actor: Actor,
    *,
    title: str,
    body: str = "",
    slug: str | None = None,
    tags: list[str] | None = None,
    status: str = "draft",
    meta_description: str = "",
    description: str = "",
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A new article and its version 1; the slug comes from the title unless given, made
    unique with `-2`, …"""
    actor.require_member()
    given = {"title": title, "body": body, "tags": tags or [], "meta_description": meta_description}
    clean = clean_changes(given if slug is None else {**given, "slug": slug})
    initial = parse_status(status)
    with session_scope() as session:
        article = Article(
            **{k: v for k, v in clean.items() if k != "slug"},
            slug=free_slug(session, clean.get("slug") or slugify(clean["title"])),
            status=initial,
            created_by=actor.user_id,
            published_at=utcnow() if initial == ArticleStatus.PUBLISHED else None,
        )
        session.add(article)
        session.flush()
        content_versions.write_version(
            session, article, actor, ChangeType.CREATED, description=description, meta=meta
        )
        audit.record(
            session,
            actor,
            "article.created",
            target_type="article",
            target_id=article.id,
            details={"title": clean["title"], "status": initial.value},
        )
        public = to_public(article)
    bus.publish_nowait(
        "article.created", article_id=public["id"], status=public["status"], title=public["title"]
    )
    return public


def _apply(session: Session, article: Article, clean: dict[str, Any]) -> list[str]:
    """Set the edited fields; returns the names of those that really changed."""
    slug = clean.get("slug")
    if (
        slug not in (None, article.slug)
        and session.exec(select(Article.id).where(Article.slug == slug)).first()
    ):
        raise ValidationFailed([Problem("slug", f"{slug!r} is already used")])
    edited = sorted(k for k, v in clean.items() if getattr(article, k) != v)
    for key in edited:
        setattr(article, key, clean[key])
    return edited


def _save(
    actor: Actor,
    article_id: int,
    changes: dict[str, Any],
    *,
    description: str = "",
    meta: dict[str, Any] | None = None,
    always_version: bool = False,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Apply edits and/or a status change as one version; returns article and version JSON.

    Without a real change nothing is written, unless `always_version` (an explicit request to
    record a version) says otherwise.
    """
    actor.require_member()
    given = {k: v for k, v in changes.items() if k in (*EDITABLE, "status") and v is not None}
    clean = clean_changes(given)
    target: ArticleStatus | None = clean.pop("status", None)
    with session_scope() as session:
        article = _get(session, article_id)
        edited = _apply(session, article, clean)
        previous = ArticleStatus(article.status)
        if target is not None:
            check_move(previous, target)
            article.status = target
        moved = previous != article.status
        if not (edited or moved or always_version):
            return to_public(article), None
        article.updated_at = utcnow()
        if moved and target == ArticleStatus.PUBLISHED:
            article.published_at = article.updated_at
        # An explicit "published" request on an article already out is a published version too.
        published = target == ArticleStatus.PUBLISHED and (moved or always_version)
        words = [f"edited {', '.join(edited)}"] if edited else []
        words += [f"status {previous.value} → {article.status}"] if moved else []
        version = content_versions.write_version(
            session,
            article,
            actor,
            ChangeType.PUBLISHED if published else ChangeType.EDITED,
            description=description or "; ".join(words),
            meta=meta,
        )
        if edited or always_version:
            details = {"title": article.title, "fields": edited, "version": version.version_number}
            audit.record(session, actor, "article.updated", **_on(article_id), details=details)
        if moved:
            details = {"from": previous.value, "to": article.status}
            audit.record(
                session, actor, "article.status_changed", **_on(article_id), details=details
            )
        session.flush()
        public, version_public = to_public(article), content_versions.to_public(version)
    if edited or always_version:
        bus.publish_nowait("article.updated", article_id=article_id, version=version.version_number)
    if moved:
        data = {"article_id": article_id, "status": public["status"]}
        data |= {"previous_status": previous.value, "title": public["title"]}
        bus.publish_nowait("article.status_changed", **data)
        bus.publish_nowait(f"article.{public['status']}", **data)
    return public, version_public


def _on(article_id: int) -> dict[str, Any]:
    return {"target_type": "article", "target_id": article_id}


def update_article(
    actor: Actor,
    article_id: int,
    *,
    description: str = "",
    meta: dict[str, Any] | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """A partial update of title, body, slug, meta_description, tags and/or status.

    Writes an `edited` version (or `published`, when the status becomes published) only when
    something changed.
    """
    if problems := unknown_fields(changes):
        raise ValidationFailed(problems)
    return _save(actor, article_id, changes, description=description, meta=meta)[0]


def set_article_status(
    actor: Actor,
    article_id: int,
    status: str,
    *,
    description: str = "",
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Move an article to `status`; setting the status it already has changes nothing."""
    return _save(actor, article_id, {"status": status}, description=description, meta=meta)[0]


def publish_article(
    actor: Actor, article_id: int, *, description: str = "", meta: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Set an article published (status, time) with a `published` version; only a `ready`
    article can be published, and publishing a published one changes nothing."""
    return set_article_status(
        actor, article_id, ArticleStatus.PUBLISHED, description=description, meta=meta
    )


def record_version(
    actor: Actor,
    article_id: int,
    *,
    change_type: str = "edited",
    description: str = "",
    meta: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Record a version on request (the original `createContentVersion`), applying `changes`
    first; `edited` or `published` (which publishes). Returns the new version."""
    if change_type not in (ChangeType.EDITED, ChangeType.PUBLISHED):
        hint = "; use the revert endpoint to revert" if change_type == "reverted" else ""
        message = f"must be edited or published, got {change_type!r}{hint}"
        raise ValidationFailed([Problem("changeType", message)])
    edits = dict(changes or {})
    if problems := unknown_fields(edits):
        raise ValidationFailed(problems)
    if change_type == ChangeType.PUBLISHED:
        edits["status"] = ArticleStatus.PUBLISHED.value
    _, version = _save(
        actor, article_id, edits, description=description, meta=meta, always_version=True
    )
    assert version is not None  # always_version guarantees one
    return version


def delete_article(actor: Actor, article_id: int) -> None:
    """Delete an article (its versions go with it); the audit row keeps title and slug."""
    actor.require_member()
    with session_scope() as session:
        article = _get(session, article_id)
        details = {
            "title": article.title,
            "slug": article.slug,
            "versions": article.current_version,
        }
        session.delete(article)
        audit.record(session, actor, "article.deleted", **_on(article_id), details=details)
    bus.publish_nowait("article.deleted", article_id=article_id)


def get_article(actor: Actor, article_id: int) -> dict[str, Any]:
    actor.require_member()
    with session_scope() as session:
        return to_public(_get(session, article_id))


def list_articles(
    actor: Actor, *, status: str | None = None, search: str = "", limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """A page of articles (last changed first, without bodies) and the total that match."""
    actor.require_member()
    query = select(Article)
    if status:
        query = query.where(Article.status == parse_status(status))
    if search:
        query = query.where(contains_text(Article.title, search))
    with session_scope() as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(
            query.order_by(Article.updated_at.desc(), Article.id.desc())  # type: ignore[attr-defined]
            .offset(max(0, offset))
            .limit(min(max(1, limit), 500))
        ).all()
        return [to_public(r, with_body=False) for r in rows], total
