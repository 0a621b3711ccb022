"""What `share` posts and where: the post built from the message or the article, and the
connections named directly or through their platform.

A platform is named as the person wrote it (`twitter`) and looked up by its canonical name
(`x`); results are reported with the person's word. A platform with no connection is not an
error of the step by itself: it is reported by name (`twitter: no connection`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from app.core.article_links import article_url, hashtags, share_lines
from app.core.errors import NotFound
from app.core.social_text import SocialPost
from app.db.engine import session_scope
from app.db.models import Connection
from app.db.settings import get_settings
from app.integrations.credentials import find_row
from app.integrations.platform_fields import canonical_platform

#: The platforms a share can post to (each needs a connection of that platform).
SHARE_PLATFORMS = (
    "x", "linkedin", "mastodon", "bluesky", "discord", "teams",
    "slack", "telegram", "n8n", "zapier", "http",
)  # fmt: skip


@dataclass(frozen=True)
class Target:
    """A connection to post through; `word` is the platform name the person wrote, if any."""

    ref: int | str
    word: str | None = None


@dataclass(frozen=True)
class Shared:
    """The post for social platforms and the plain text for the others."""

    post: SocialPost
    text: str
    default: bool


def unknown_platform(name: str) -> str | None:
    """Why `name` is not a platform to share on, or None when it is one."""
    if canonical_platform(name) in SHARE_PLATFORMS:
        return None
    known = ", ".join(SHARE_PLATFORMS)
    return f"{name!r} is not a platform to share on ({known}; twitter means x)"


def what_to_share(message: str | None, article: dict[str, Any] | None) -> Shared | None:
    """The given message, or the default built from the article: its title, its link and
    hashtags from its tags. None when there is neither."""
    if message:
        return Shared(SocialPost(text=message), message, False)
    if not article or not str(article.get("title") or "").strip():
        return None
    title = str(article["title"]).strip()
    slug = str(article.get("slug") or "").strip()
    link = article_url(get_settings().site_url, slug) if slug else None
    tags = hashtags([str(t) for t in article.get("tags") or []])
    post = SocialPost(text=title, link=link, title=title, tags=tags)
    return Shared(post, share_lines(title, link, tags), True)


def targets(refs: list[int | str], words: list[str]) -> tuple[list[Target], list[str]]:
    """Every connection to post through, each once, and the platform words with none.

    Connections named in `refs` come first (an unknown one is kept: posting to it reports
    it), then every connection of each platform in `words`, in id order.
    """
    with session_scope() as session:
        out: list[Target] = []
        seen: set[int | str] = set()
        for ref in dict.fromkeys(refs):
            try:
                key: int | str = int(find_row(session, ref).id or 0)
            except NotFound:
                key = ref
            if key not in seen:
                seen.add(key)
                out.append(Target(key))
        missing: list[str] = []
        for word in dict.fromkeys(words):
            ids = session.exec(
                select(Connection.id)
                .where(Connection.platform == canonical_platform(word))
                .order_by(col(Connection.id))
            ).all()
            if not ids:
                missing.append(word)
            for conn_id in ids:
                if int(conn_id or 0) not in seen:
                    seen.add(int(conn_id or 0))
                    out.append(Target(int(conn_id or 0), word))
    return out, missing
