"""Article rules without I/O: statuses and their moves, slugs, and checking an edit.

Kept pure so that the service, the REST API and the engine's content actions all meet the same
checks, and so that the rules are testable without a database.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from app.core.errors import Conflict, Problem, ValidationFailed


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
#: The life cycle's order, for menus: draft → ready → published → archived.
LIFECYCLE: tuple[ArticleStatus, ...] = tuple(ArticleStatus)


def moves_in_order(current: ArticleStatus) -> list[ArticleStatus]:
    """Where an article that is `current` may go, in the life cycle's order."""
    return [s for s in LIFECYCLE if s in ALLOWED_MOVES[current]]


def undo_of(previous: ArticleStatus, target: ArticleStatus) -> ArticleStatus | None:
    """The status an undo returns to after `previous` → `target`, when that move is allowed
    (publishing cannot be undone: its workflows have run; archived goes back to draft only)."""
    return previous if previous in ALLOWED_MOVES[target] else None


#: The original design's status names (any case) and what they mean here.
STATUS_ALIASES: dict[str, ArticleStatus] = {
    "ready_to_publish": ArticleStatus.READY,
    "ready-to-publish": ArticleStatus.READY,
}


def _any_case(word: str) -> str:
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in word)


#: A regular expression (JSON Schema's dialect) of every status name accepted, in any case.
STATUS_PATTERN = (
    "^("
    + "|".join(_any_case(name) for name in [*(s.value for s in ArticleStatus), *STATUS_ALIASES])
    + ")$"
)
STATUS_CHOICES = "draft, ready (or READY_TO_PUBLISH), published, archived"
EDITABLE = ("title", "body", "slug", "meta_description", "tags")
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def status_name(value: object) -> ArticleStatus | None:
    """Our status for `value`: ours or the original's (`DRAFT`, `READY_TO_PUBLISH`,
    `PUBLISHED`, `ARCHIVED`), in any case; None when it names no status."""
    if isinstance(value, ArticleStatus):
        return value
    if not isinstance(value, str):
        return None
    name = value.lower()
    if name in STATUS_ALIASES:
        return STATUS_ALIASES[name]
    try:
        return ArticleStatus(name)
    except ValueError:
        return None


def parse_status(value: object, path: str = "status") -> ArticleStatus:
    status = status_name(value)
    if status is None:
        raise ValidationFailed([Problem(path, f"must be one of {STATUS_CHOICES}, got {value!r}")])
    return status


def check_move(previous: ArticleStatus, target: ArticleStatus) -> None:
    """Raise `Conflict` unless `previous → target` is allowed (staying put always is)."""
    if target != previous and target not in ALLOWED_MOVES[previous]:
        raise Conflict(f"an article that is {previous.value} cannot become {target.value}")


def slugify(text: str) -> str:
    """`"Hello, World!"` -> `hello-world` (ASCII letters and digits joined by dashes)."""
    return _SLUG_CHARS.sub("-", text.lower()).strip("-")[:280] or "article"


def unknown_fields(changes: dict[str, Any]) -> list[Problem]:
    return [
        Problem(k, "not a field of an article")
        for k in sorted(set(changes) - {*EDITABLE, "status"})
    ]


def clean_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Validated, normalised edits and status (only the keys given); every problem at once."""
    problems, clean = [], dict(changes)
    if "title" in clean:
        clean["title"] = str(clean["title"] or "").strip()
        if not clean["title"] or len(clean["title"]) > 300:
            problems.append(Problem("title", "required, at most 300 characters"))
    if "slug" in clean and (not clean["slug"] or slugify(str(clean["slug"])) != clean["slug"]):
        problems.append(Problem("slug", "use lowercase letters, digits and dashes"))
    if "body" in clean and not isinstance(clean["body"], str):
        problems.append(Problem("body", "must be text"))
    if "meta_description" in clean:
        clean["meta_description"] = str(clean["meta_description"] or "").strip()
        if len(clean["meta_description"]) > 1000:
            problems.append(Problem("meta_description", "at most 1000 characters"))
    if "status" in clean:
        try:
            clean["status"] = parse_status(clean["status"])
        except ValidationFailed as exc:
            problems.extend(exc.problems)
    if "tags" in clean:
        if not isinstance(clean["tags"], list):
            problems.append(Problem("tags", "must be a list of words"))
        else:
            clean["tags"] = [str(t).strip() for t in clean["tags"] if str(t).strip()]
    if problems:
        raise ValidationFailed(problems)
    return clean


#: What a revert brings back from a version: the content. The status is the article's life
#: cycle (draft → ready → published → archived), moved on purpose with "Move to…"; a revert
#: never publishes, unpublishes or archives (as in git, a revert changes content, not where
#: the work is released).
RESTORED_BY_REVERT = ("title", "slug", "body", "meta_description", "tags")
_FIELD_WORDS = "title, slug, body, meta description and tags"


def revert_note(version: int, status: str, version_status: str | None = None) -> str:
    """What a revert to `version` did, said plainly: the content came back, the status did not
    (and, when `version` had another status, which one it had)."""
    text = f"Restored the {_FIELD_WORDS} of version {version}. The status stays {status}"
    if version_status and version_status != status:
        return f"{text} (version {version} was {version_status}; use Move to… to change it)."
    return f"{text}."


def revert_promise(status: str) -> str:
    """What a revert will do, said before it is done."""
    return (
        f"Brings back the {_FIELD_WORDS} of that version as a new version. The status stays "
        f"{status}: a revert does not publish, unpublish or archive (use Move to… on Articles)."
    )
