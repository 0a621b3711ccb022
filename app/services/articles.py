"""Articles, minimally: create one and move it through its statuses.

Just enough for the `publish` trigger ("run when an article becomes ready"); the full CRUD,
content versions and REST come with a later issue. Statuses go draft → ready → published →
archived; an article can also be sent back (ready → draft), archived early, or restored
(archived → draft). Every change is audited, and a status change is published on the bus as
`article.status_changed` and as `article.<status>` (e.g. `article.ready`), the internal events
that `event` and `publish` triggers listen to.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from sqlmodel import Session, select

from app.core.errors import Conflict, NotFound, Problem, ValidationFailed
from app.db.engine import session_scope
from app.db.models import Article
from app.db.types import utcnow
from app.engine.bus import bus
from app.services import audit
from app.services.actor import Actor


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    READY = "ready"
    PUBLISHED = "published"
    ARCHIVED = "archived"


ALLOWED_MOVES: dict[ArticleStatus, frozenset[ArticleStatus]] = {
    ArticleStatus.DRAFT: frozenset({ArticleStatus.READY, ArticleStatus.ARCHIVED}),
    ArticleStatus.READY: frozenset(
        {ArticleStatus.DRAFT, ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED}
    ),
    ArticleStatus.PUBLISHED: frozenset({ArticleStatus.ARCHIVED}),
    ArticleStatus.ARCHIVED: frozenset({ArticleStatus.DRAFT}),
}
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def _status(value: str, path: str = "status") -> ArticleStatus:
    try:
        return ArticleStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in ArticleStatus)
        raise ValidationFailed(
            [Problem(path, f"must be one of {allowed}, got {value!r}")]
        ) from None


def slugify(text: str) -> str:
    """`"Hello, World!"` -> `hello-world` (ASCII letters and digits joined by dashes)."""
    return _SLUG_CHARS.sub("-", text.lower()).strip("-")[:280] or "article"


def _free_slug(session: Session, wanted: str) -> str:
    taken = set(
        session.exec(
            select(Article.slug).where(Article.slug.startswith(wanted))  # type: ignore[attr-defined]
        ).all()
    )
    slug, number = wanted, 1
    while slug in taken:
        number += 1
        slug = f"{wanted}-{number}"
    return slug


def to_public(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "slug": article.slug,
        "body": article.body,
        "status": article.status,
        "tags": list(article.tags),
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "created_by": article.created_by,
        "created_at": article.created_at.isoformat(),
        "updated_at": article.updated_at.isoformat(),
    }


def create_article(
    actor: Actor,
    *,
    title: str,
    body: str = "",
    slug: str | None = None,
    tags: list[str] | None = None,
    status: str = "draft",
) -> dict[str, Any]:
    """A new article; the slug comes from the title unless given, made unique with `-2`, …"""
    actor.require_member()
    title = title.strip()
    problems = []
    if not title or len(title) > 300:
        problems.append(Problem("title", "required, at most 300 characters"))
    if slug is not None and slugify(slug) != slug:
        problems.append(Problem("slug", "use lowercase letters, digits and dashes"))
    if problems:
        raise ValidationFailed(problems)
    initial = _status(status)
    with session_scope() as session:
        article = Article(
            title=title,
            body=body,
            slug=_free_slug(session, slug or slugify(title)),
            tags=[str(t).strip() for t in tags or [] if str(t).strip()],
            status=initial,
            created_by=actor.user_id,
            published_at=utcnow() if initial == ArticleStatus.PUBLISHED else None,
        )
        session.add(article)
        session.flush()
        audit.record(
            session,
            actor,
            "article.created",
            target_type="article",
            target_id=article.id,
            details={"title": title, "status": initial.value},
        )
        public = to_public(article)
    bus.publish_nowait(
        "article.created", article_id=public["id"], status=public["status"], title=public["title"]
    )
    return public


def set_article_status(actor: Actor, article_id: int, status: str) -> dict[str, Any]:
    """Move an article to `status`; setting the status it already has changes nothing."""
    actor.require_member()
    target = _status(status)
    with session_scope() as session:
        article = session.get(Article, article_id)
        if article is None:
            raise NotFound(f"article {article_id} does not exist")
        previous = ArticleStatus(article.status)
        if previous == target:
            return to_public(article)
        if target not in ALLOWED_MOVES[previous]:
            raise Conflict(f"an article that is {previous.value} cannot become {target.value}")
        article.status = target
        article.updated_at = utcnow()
        if target == ArticleStatus.PUBLISHED:
            article.published_at = article.updated_at
        audit.record(
            session,
            actor,
            "article.status_changed",
            target_type="article",
            target_id=article_id,
            details={"from": previous.value, "to": target.value},
        )
        public = to_public(article)
    data = {
        "article_id": article_id,
        "status": target.value,
        "previous_status": previous.value,
        "title": public["title"],
    }
    bus.publish_nowait("article.status_changed", **data)
    bus.publish_nowait(f"article.{target.value}", **data)
    return public
