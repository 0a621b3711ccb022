"""An article named the way the original document names one: by id or by slug.

The original's examples write `articleId: 'article-123'`, a string, where Flowdeck's articles
have whole-number ids. A string that is not a number is read as the article's slug (its name in
URLs, unique), so `article-123` is the article whose slug is `article-123`. A string of digits
is the id. Anything else is a 422 naming the field, a slug no article has a 404 naming it, so
that a run never starts on an article that is not there.
"""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import select

from app.core.errors import NotFound, Problem, ValidationFailed
from app.core.ids import is_id
from app.db.engine import session_scope
from app.db.models import Article

#: A slug as articles have them (lowercase letters and digits joined by single dashes).
SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG = re.compile(SLUG_PATTERN)
#: Keys of a trigger payload that name an article, as the original wrote them and as ours.
PAYLOAD_KEYS = ("article_id", "articleId")


def article_id_of(value: Any, path: str) -> int:
    """The id of the article `value` names (an id, digits, or a slug); `ValidationFailed` at
    `path` when it is neither, `NotFound` naming `path` when no article has that slug."""
    if is_id(value):
        return int(value)
    if not isinstance(value, str) or not SLUG.match(value):
        raise ValidationFailed([Problem(path, "must be an article id (a number) or slug")])
    if value.isdigit() and len(value) < 19 and is_id(int(value)):
        return int(value)
    with session_scope() as session:
        found = session.exec(select(Article.id).where(Article.slug == value)).first()
    if found is None:
        raise NotFound(f"{path}: no article has the id or slug {value!r}")
    return int(found)


def with_article_id(payload: dict[str, Any] | None, path: str = "payload") -> dict[str, Any] | None:
    """A trigger payload whose `article_id` / `articleId` is a slug or digits also carries the
    article's numeric `article_id`, which the content actions read; the given key is kept."""
    if not payload:
        return payload
    for key in PAYLOAD_KEYS:
        value = payload.get(key)
        if value is None or is_id(value):
            continue
        return {**payload, "article_id": article_id_of(value, f"{path}.{key}")}
    if is_id(payload.get("articleId")) and "article_id" not in payload:
        return {**payload, "article_id": payload["articleId"]}
    return payload
