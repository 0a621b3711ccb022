"""What changed between two versions of a document (a workflow, an orchestration, an
article's fields), one row per leaf value, for the version compare views. Pure.

Rows come from the leaves of both documents (`app.core.canvas_diff.field_changes`), not from
DeepDiff's report, so a setting filled in is "added" (not "changed" from `null`), a mapping
that gains a key lists that key (not "config removed {}"), and no value is shown as raw JSON.
Lists of steps are matched by their `id` (`actions.fetch.config.url`), so removing the
second of three steps reads as one step removed. Names in a change summary's words are set in
quotes instead of the backticks stored with them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from app.core.canvas_diff import FieldChange, field_changes

MAX_ROWS = 400  # a compare lists at most this many rows; the API has the whole diff
_TICKED = re.compile(r"`([^`]*)`")


def _by_id(items: Any) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for item in items if isinstance(items, Sequence) and not isinstance(items, str) else []:
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            found.setdefault(item["id"], item)
    return found


def _prefixed(prefix: str, rows: list[FieldChange]) -> list[FieldChange]:
    return [FieldChange(f"{prefix}.{r.path}", r.kind, r.old, r.new) for r in rows]


def document_changes(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    by_id: Sequence[str] = (),
    skip: Sequence[str] = (),
) -> list[FieldChange]:
    """Every leaf that differs, sorted by path; secrets masked. The lists named in `by_id`
    (`actions`, `calls`) are matched item by item on `id`; keys in `skip` are left out."""
    old, new = dict(before or {}), dict(after or {})
    left_out = {*by_id, *skip}
    rows = field_changes(
        {k: v for k, v in old.items() if k not in left_out},
        {k: v for k, v in new.items() if k not in left_out},
    )
    for key in by_id:
        was, now = _by_id(old.get(key)), _by_id(new.get(key))
        for item_id in [*now, *(i for i in was if i not in now)]:
            rows += _prefixed(f"{key}.{item_id}", field_changes(was.get(item_id), now.get(item_id)))
    return sorted(rows, key=lambda r: r.path)[:MAX_ROWS]


def plain_words(text: str) -> str:
    """A summary line as people read it: "added action `notify`" → "added action “notify”"."""
    return _TICKED.sub(lambda m: f"“{m.group(1)}”", text)
