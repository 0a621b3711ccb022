"""Content versions: every article create, edit, publish and revert is a hashed snapshot.

Versions are append-only. Each one holds the full snapshot, a diff against its parent (fields
by DeepDiff, the body line by line) and a git-style commit hash over snapshot, metadata and the
parent's hash, so `verify_history` can tell when a stored row was edited behind Flowdeck's
back. A revert is itself a new version that points at the one it restored. Versions are named
by number within their article, or by their commit hash (or a prefix of at least 7 characters)
— which is how a request can name a version of another article, and be refused.
"""

from __future__ import annotations

import difflib
from typing import Any

from sqlmodel import Session, select

from app.core.articles import RESTORED_BY_REVERT, revert_note
from app.core.errors import Conflict, NotFound, Problem, ValidationFailed
from app.core.versioning import ChainLink, field_diff, line_diff, verify_chain
from app.db.engine import session_scope
from app.db.models import Article, ContentVersion
from app.db.types import utcnow
from app.engine.bus import bus
from app.engine.content import (  # shared with the engine's content actions
    SNAPSHOT_FIELDS,
    ChangeType,
    append_version,
    hash_meta,
    snapshot_of,
)
from app.engine.content import without_body as _fields
from app.services import audit
from app.services.actor import Actor

__all__ = ["SNAPSHOT_FIELDS", "ChangeType", "hash_meta", "snapshot_of", "write_version"]

RESTORED_FIELDS = RESTORED_BY_REVERT  # the content; the status stays (see `revert_note`)
_MIN_HASH_PREFIX = 7


def write_version(
    session: Session,
    article: Article,
    actor: Actor,
    change_type: ChangeType,
    *,
    description: str = "",
    meta: dict[str, Any] | None = None,
    restored_from: int | None = None,
) -> ContentVersion:
    """Append the next version of `article` (already flushed, so it has an id), by `actor`."""
    return append_version(
        session,
        article,
        change_type,
        changed_by=actor.user_id,
        description=description,
        meta=meta,
        restored_from=restored_from,
    )


def to_public(version: ContentVersion, *, with_snapshot: bool = True) -> dict[str, Any]:
    public = {
        "id": version.id,
        "article_id": version.article_id,
        "version_number": version.version_number,
        "change_type": version.change_type,
        "change_description": version.change_description,
        "changed_by": version.changed_by,
        "created_at": version.created_at.isoformat(),
        "commit_hash": version.commit_hash,
        "parent_hash": version.parent_hash,
        "git_commit": version.git_commit,
        "restored_from": version.restored_from,
        "meta": version.meta,
        "diff": version.diff,
    }
    if with_snapshot:
        public["snapshot"] = version.snapshot
    return public


def _article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"article {article_id} does not exist")
    return article


def _versions(session: Session, article_id: int) -> list[ContentVersion]:
    return list(
        session.exec(
            select(ContentVersion)
            .where(ContentVersion.article_id == article_id)
            .order_by(ContentVersion.version_number)  # type: ignore[arg-type]
        )
    )


def find_version(session: Session, article_id: int, ref: int | str, path: str) -> ContentVersion:
    """A version of `article_id` by number or commit hash; `path` names the input on errors."""
    text = str(ref).strip()
    if text.isdigit() and len(text) < _MIN_HASH_PREFIX:  # "1234567" is a hash prefix
        query = select(ContentVersion).where(
            ContentVersion.article_id == article_id, ContentVersion.version_number == int(text)
        )
    elif len(text) >= _MIN_HASH_PREFIX and all(c in "0123456789abcdef" for c in text.lower()):
        query = select(ContentVersion).where(
            ContentVersion.commit_hash.startswith(text.lower())  # type: ignore[attr-defined]
        )
    else:
        message = f"give a version number or a commit hash (7+ hex characters), got {text!r}"
        raise ValidationFailed([Problem(path, message)])
    found = list(session.exec(query.limit(2)))
    if len(found) > 1:
        raise ValidationFailed([Problem(path, f"commit hash prefix {text!r} is ambiguous")])
    if not found:
        raise NotFound(f"article {article_id} has no version {text}")
    version = found[0]
    if version.article_id != article_id:
        message = f"version {text} belongs to article {version.article_id}, not {article_id}"
        raise ValidationFailed([Problem(path, message)])
    return version


def history(actor: Actor, article_id: int) -> dict[str, Any]:
    """Every version of an article, newest first, and whether the hash chain is intact."""
    actor.require_member()
    with session_scope() as session:
        _article(session, article_id)
        versions = _versions(session, article_id)
        problems = _chain_problems(versions)
        items = [to_public(v, with_snapshot=False) for v in reversed(versions)]
    return {
        "article_id": article_id,
        "items": items,
        "total": len(items),
        "chain_ok": not problems,
        "problems": problems,
    }


def _chain_problems(versions: list[ContentVersion]) -> list[dict[str, Any]]:
    links = [
        ChainLink(v.version_number, v.snapshot, v.parent_hash, v.commit_hash, hash_meta(v))
        for v in versions
    ]
    return [problem.as_dict() for problem in verify_chain(links)]


def verify_history(actor: Actor, article_id: int) -> list[dict[str, Any]]:
    """Breaks in an article's hash chain (oldest first); empty when nothing was tampered with."""
    actor.require_member()
    with session_scope() as session:
        _article(session, article_id)
        return _chain_problems(_versions(session, article_id))


def get_version(actor: Actor, article_id: int, ref: int | str) -> dict[str, Any]:
    actor.require_member()
    with session_scope() as session:
        _article(session, article_id)
        return to_public(find_version(session, article_id, ref, "version"))


def compare(actor: Actor, article_id: int, a: int | str, b: int | str) -> dict[str, Any]:
    """Two versions of one article side by side: changed fields and the body's lines.

    `body` lists every line (for a side-by-side view); `unified` is the same change as the
    inline `-`/`+` text people know from git.
    """
    actor.require_member()
    with session_scope() as session:
        _article(session, article_id)
        older = find_version(session, article_id, a, "a")
        newer = find_version(session, article_id, b, "b")
    before, after = older.snapshot, newer.snapshot
    fields = field_diff(_fields(before), _fields(after))
    changed = [k for k in SNAPSHOT_FIELDS if before.get(k) != after.get(k)]
    unified = difflib.unified_diff(
        str(before.get("body", "")).splitlines(),
        str(after.get("body", "")).splitlines(),
        f"v{older.version_number}",
        f"v{newer.version_number}",
        lineterm="",
    )
    return {
        "article_id": article_id,
        "a": to_public(older),
        "b": to_public(newer),
        "changed_fields": changed,
        "fields": fields,
        "body": line_diff(str(before.get("body", "")), str(after.get("body", ""))),
        "unified": list(unified),
    }


def revert(
    actor: Actor, article_id: int, version_ref: int | str, description: str = ""
) -> dict[str, Any]:
    """Restore an article's content from a version, as a new `reverted` version.

    Title, slug, body, meta description and tags come back; the status stays what it is (a
    revert restores content, it does not unpublish). Nothing is deleted. The answer is the new
    version with a `note` that says so in words (`app.core.articles.revert_note`).
    """
    actor.require_member()
    with session_scope() as session:
        article = _article(session, article_id)
        source = find_version(session, article_id, version_ref, "version_number")
        restored = {k: source.snapshot.get(k) for k in RESTORED_FIELDS}
        current = {k: snapshot_of(article)[k] for k in RESTORED_FIELDS}
        if restored == current:
            raise Conflict(
                f"the content of article {article_id} already matches version "
                f"{source.version_number} (a revert restores content, not the status)"
            )
        slug = restored["slug"]
        if (
            slug != article.slug
            and session.exec(
                select(Article.id).where(Article.slug == slug, Article.id != article_id)
            ).first()
        ):
            raise Conflict(f"another article now uses the slug {slug!r}; change it first")
        for key, value in restored.items():
            setattr(article, key, list(value) if key == "tags" else value)
        article.updated_at = utcnow()
        version = write_version(
            session,
            article,
            actor,
            ChangeType.REVERTED,
            description=description.strip() or f"reverted to version {source.version_number}",
            restored_from=source.version_number,
        )
        audit.record(
            session,
            actor,
            "article.reverted",
            target_type="article",
            target_id=article_id,
            details={
                "title": article.title,
                "restored_from": source.version_number,
                "version": version.version_number,
            },
        )
        session.flush()
        public = to_public(version)
        public["note"] = revert_note(
            source.version_number, article.status, source.snapshot.get("status")
        )
    bus.publish_nowait("article.updated", article_id=article_id, version=public["version_number"])
    return public
