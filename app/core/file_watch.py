"""The `file_watch` trigger's decisions: whether a directory may be watched, and which file
events of one debounced batch start runs. Pure: the watcher (`app.engine.triggers.file_watch`)
resolves paths and reads sizes, and hands in what it saw.

One batch (the changes `watchfiles` collected over `debounce_ms`) gives at most one event per
file: a file whose last change was a deletion is `deleted` (whatever came before: it is gone);
else a file created in the batch is `created` (also when it was written after); else
`modified`. Files whose name matches none of
`patterns` (shell-style, `*.csv`) and kinds not in `events` are left out. Paths come out
sorted, so a batch starts its runs in a stable order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from pathlib import PurePath

EVENTS = ("created", "modified", "deleted")


def watch_problem(path: PurePath, roots: Sequence[PurePath]) -> str | None:
    """Why the resolved directory `path` may not be watched under `roots`, or None."""
    if not roots:
        return "no directory may be watched: set FLOWDECK_WATCH_ROOTS to allow some"
    if not any(path.is_relative_to(root) for root in roots):
        allowed = ", ".join(str(r) for r in roots)
        return f"{path} is not under an allowed directory (FLOWDECK_WATCH_ROOTS: {allowed})"
    return None


def _kind(kinds: Sequence[str]) -> str:
    if kinds[-1] == "deleted":
        return "deleted"
    return "created" if "created" in kinds else kinds[-1]


def batch_events(
    changes: Iterable[tuple[str, str]], *, patterns: Sequence[str], events: Sequence[str]
) -> list[tuple[str, str]]:
    """`(event, path)` to start runs for, from one batch of `(kind, path)` changes."""
    seen: dict[str, list[str]] = {}
    for kind, path in changes:
        seen.setdefault(path, []).append(kind)
    chosen = []
    for path in sorted(seen):
        kind = _kind(seen[path])
        name = PurePath(path).name
        if kind in events and any(fnmatchcase(name, pattern) for pattern in patterns or ["*"]):
            chosen.append((kind, path))
    return chosen
