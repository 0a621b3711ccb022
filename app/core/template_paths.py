"""The template paths a step can read, as a short tree for the variable picker.

Built from sample data: the trigger payload (pinned, or the last run's) and the outputs the last
run stored for the steps this one runs after (its ancestors in the graph: a step cannot read a
step that runs later or beside it). Bounded: `max_depth` levels below each root, `max_entries`
entries in all, `max_keys` keys per object, lists shown by their first item. Values are only
previews (`preview_chars`), and a key whose name says secret shows `[redacted]`: the stored
data is already masked, this keeps a key named `token` from showing even a masked value.
Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.graph import nodes_of
from app.core.redact import REDACTED, is_secret_key
from app.core.template_help import dotted

MAX_DEPTH = 4
MAX_ENTRIES = 200
MAX_KEYS = 40
PREVIEW_CHARS = 60


@dataclass(frozen=True)
class PathEntry:
    """One row of the picker: `path` to insert, `label` to show, `depth` for the indent."""

    path: str
    label: str
    depth: int
    kind: str  # object, list, text, number, bool, null
    preview: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "label": self.label, "depth": self.depth,
                "kind": self.kind, "preview": self.preview}  # fmt: skip


def ancestors(actions: Sequence[Mapping[str, Any]], step_id: str) -> list[str]:
    """The steps `step_id` runs after, directly or not, in definition order."""
    nodes = nodes_of(actions)
    if step_id not in nodes:
        return []
    seen: set[str] = set()
    todo = [d.source for d in nodes[step_id].depends_on]
    while todo:
        current = todo.pop()
        if current in seen or current == step_id:
            continue
        seen.add(current)
        todo.extend(d.source for d in nodes[current].depends_on)
    return [n for n in nodes if n in seen]


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else "text"


def preview(value: Any, chars: int = PREVIEW_CHARS) -> str:
    """A one-line glimpse of a value: `"Oslo"`, `42`, `{3 keys}`, `[10 items]`."""
    if isinstance(value, Mapping):
        return f"{{{len(value)} keys}}" if len(value) != 1 else "{1 key}"
    if isinstance(value, list | tuple):
        return f"[{len(value)} items]" if len(value) != 1 else "[1 item]"
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= chars else text[: chars - 1] + "…"


class _Walk:
    def __init__(self, max_depth: int, max_entries: int, max_keys: int, chars: int) -> None:
        self.entries: list[PathEntry] = []
        self.max_depth, self.max_entries = max_depth, max_entries
        self.max_keys, self.chars = max_keys, chars

    @property
    def full(self) -> bool:
        return len(self.entries) >= self.max_entries

    def add(self, path: list[str | int], label: str, depth: int, value: Any) -> None:
        if self.full:
            return
        secret = isinstance(path[-1], str) and is_secret_key(path[-1])
        kind = "text" if secret else _kind(value)
        shown = REDACTED if secret else preview(value, self.chars)
        self.entries.append(PathEntry(dotted(path), label, depth, kind, shown))
        if not secret:
            self.children(path, depth, value)

    def children(self, path: list[str | int], depth: int, value: Any) -> None:
        if depth >= self.max_depth:
            return
        if isinstance(value, Mapping):
            for key in list(value)[: self.max_keys]:
                self.add([*path, str(key)], str(key), depth + 1, value[key])
        elif isinstance(value, list | tuple) and value:
            self.add([*path, 0], "[0]", depth + 1, value[0])


def variable_tree(
    trigger: Any,
    outputs: Mapping[str, Any],
    earlier: Sequence[str],
    *,
    max_depth: int = MAX_DEPTH,
    max_entries: int = MAX_ENTRIES,
    max_keys: int = MAX_KEYS,
    preview_chars: int = PREVIEW_CHARS,
) -> list[PathEntry]:
    """The picker's rows: `trigger.…`, then `steps.<id>.output.…` for each earlier step that
    has a stored output (`outputs`: step id → output), then the run's own names."""
    walk = _Walk(max_depth, max_entries, max_keys, preview_chars)
    walk.add(["trigger"], "trigger", 0, trigger if trigger is not None else {})
    for step_id in earlier:
        if walk.full:
            break
        if step_id in outputs:
            walk.add(["steps", step_id, "output"], f"steps.{step_id}.output", 0, outputs[step_id])
        else:
            walk.entries.append(
                PathEntry(dotted(["steps", step_id, "output"]), f"steps.{step_id}.output", 0,
                          "null", "no stored output yet")
            )  # fmt: skip
    for path, label in (
        (["workflow", "name"], "workflow.name"),
        (["execution", "id"], "execution.id"),
        (["now"], "now"),
    ):
        if not walk.full:
            walk.entries.append(PathEntry(dotted(path), label, 0, "text"))
    return walk.entries
