"""The command palette's decisions: what a typed query asks for, and how well a name matches.

`parse("#42")` is execution 42; `parse("run weather")` asks to run workflows named like
"weather"; anything else is searched for in page, action and workflow names (ranked by
`score`) and, from three characters on, in the errors of recent runs. Pure: the search itself
is `app.services.command_search`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_QUERY = 200  # characters of a query; more is cut off
MIN_ERROR_CHARS = 3  # shorter text would match the error of nearly every failed run
_EXECUTION = re.compile(r"^#?\s*(\d{1,18})$")
_RUN = re.compile(r"^run\s+(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Query:
    text: str  # what was typed, trimmed, spaces collapsed, cut to MAX_QUERY
    execution_id: int | None = None  # "#42" or "42"
    run_name: str | None = None  # "run weather" -> "weather"

    @property
    def searches_errors(self) -> bool:
        return self.execution_id is None and len(self.text) >= MIN_ERROR_CHARS


def parse(raw: str) -> Query:
    text = " ".join(str(raw or "").split())[:MAX_QUERY].strip()
    number = _EXECUTION.match(text)
    if number:
        return Query(text, execution_id=int(number.group(1)))
    run = _RUN.match(text)
    if run:
        return Query(text, run_name=run.group(1).strip())
    return Query(text)


def score(query: str, name: str) -> int | None:
    """How well `name` matches `query` (higher is better); None when it does not.

    The whole name first, then a word of it starting with the query, then the query anywhere
    in it, then its letters in order (`nwf` finds "New workflow"). Shorter names win ties.
    """
    q, n = query.casefold().strip(), name.casefold()
    if not q:
        return 0
    if n == q:
        tier = 4
    elif n.startswith(q):
        tier = 3
    elif any(word.startswith(q) for word in re.split(r"[\s·/_\-.]+", n)):
        tier = 2
    elif q in n:
        tier = 1
    elif _in_order(q.replace(" ", ""), n):
        tier = 0
    else:
        return None
    return tier * 1000 - min(len(n), 999)


def _in_order(letters: str, name: str) -> bool:
    rest = iter(name)
    return all(letter in rest for letter in letters)


@dataclass(frozen=True)
class Entry:
    """A page or an action the palette offers besides workflows and runs."""

    kind: str  # "page" or "action"
    label: str
    target: str  # a path, or the name of an action the page carries out
    icon: str = "arrow-right"
    keywords: str = ""  # more words it is found by
    admin_only: bool = False


def ranked(query: str, entries: Iterable[Entry], *, admin: bool, limit: int) -> list[Entry]:
    """The entries `query` matches, best first; admin-only ones only for admins. An empty
    query keeps the given order."""
    scored: list[tuple[int, int, Entry]] = []
    for position, entry in enumerate(entries):
        if entry.admin_only and not admin:
            continue
        best = max(
            (s for s in (score(query, entry.label), _keyword_score(query, entry)) if s is not None),
            default=None,
        )
        if best is not None:
            scored.append((-best, position, entry))
    return [entry for _, _, entry in sorted(scored, key=lambda t: (t[0], t[1]))[:limit]]


def _keyword_score(query: str, entry: Entry) -> int | None:
    found = [s for w in entry.keywords.split() if (s := score(query, w)) is not None]
    return max(found) - 500 if found else None  # a keyword counts less than the label


def snippet(text: str, needle: str, width: int = 90) -> str:
    """The part of `text` around the first `needle` (case-insensitive), on one line, with
    `…` where it was cut; the start of `text` when the needle is not in it."""
    flat = " ".join(str(text).split())
    at = flat.casefold().find(needle.casefold()) if needle else -1
    if len(flat) <= width:
        return flat
    if at < 0:
        return flat[: width - 1] + "…"
    start = max(0, min(at - width // 3, len(flat) - width))
    cut = flat[start : start + width]
    return ("…" if start else "") + cut + ("…" if start + width < len(flat) else "")


def like_pattern(text: str) -> str:
    """`text` for a LIKE '…' ESCAPE '\\' search: its own %, _ and \\ match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
