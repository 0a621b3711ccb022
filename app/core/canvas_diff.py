"""Two versions of a workflow's steps compared for the canvas: which steps were added, removed
or changed (and in which fields), and one graph holding both to draw.

Steps are matched by id. A step's position (`ui`) never counts as a change, since it never
changes what runs; its dependencies are compared as the graph reads them (an omitted
`depends_on` is "after the previous step"), so a step that now runs after a different step is
changed even if its own text is not. Values under a secret-looking key (`token`, `password`,
…) are masked here, before anything reaches a page.

The drawing is the newer version's graph plus the removed steps, drawn where the older version
had them (removed steps keep their old dependencies; an edge is `added`, `removed` or unchanged
by its id, `source[:output]->target`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from app.core.canvas import edges_of, lenient_graph, to_canvas
from app.core.redact import REDACTED, is_secret_key

Change = Literal["added", "removed", "changed"]
IGNORED = frozenset({"ui", "depends_on", "dependsOn"})  # dependencies are compared resolved
DEPENDS = "depends_on"
MAX_FIELDS = 60  # rows kept per step; the text diff and the API have every one
MAX_VALUE = 200  # characters of one value
MAX_DEPTH = 32  # below this a value is shown whole, as JSON text


@dataclass(frozen=True)
class FieldChange:
    """One leaf value of a step: `old` → `new` ("" where the field is absent)."""

    path: str
    kind: Change
    old: str
    new: str


@dataclass(frozen=True)
class StepChange:
    step_id: str
    change: Change
    fields: tuple[FieldChange, ...]
    more: int = 0  # fields left off past MAX_FIELDS


@dataclass(frozen=True)
class CanvasDiff:
    """React Flow nodes (`data.change` set) and edges (`change` set) of both versions."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    steps: dict[str, StepChange] = field(default_factory=dict)

    def count(self, change: Change) -> int:
        return sum(1 for s in self.steps.values() if s.change == change)


def value_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + "…"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def leaves(value: Any, path: str = "", depth: int = 0) -> dict[str, Any]:
    """Every leaf of `value` by its path (`config.headers.Accept`, `cases[0].when`);
    an empty mapping or list is a leaf of its own."""
    if depth < MAX_DEPTH and isinstance(value, Mapping) and value:
        found: dict[str, Any] = {}
        for key, item in value.items():
            found.update(leaves(item, _join(path, str(key)), depth + 1))
        return found
    if depth < MAX_DEPTH and isinstance(value, list) and value:
        found = {}
        for index, item in enumerate(value):
            found.update(leaves(item, _join(path, index), depth + 1))
        return found
    return {path: value}


def is_secret_path(path: str) -> bool:
    """Whether any key along `path` names a secret (`config.headers.Authorization`)."""
    parts = path.replace("[", ".").replace("]", "").split(".")
    return any(part and not part.isdigit() and is_secret_key(part) for part in parts)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | dict | list) and not value)


def _shown(path: str, value: Any, present: bool) -> str:
    if not present:
        return ""
    if is_secret_path(path) and value not in (None, ""):
        return REDACTED
    return value_text(value)


def comparable(steps: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """Each step by id, without its position and with its dependencies as the graph reads
    them (sorted, the implied "previous step" written out)."""
    graph = lenient_graph(steps)
    found: dict[str, dict[str, Any]] = {}
    for step_id, node in graph.nodes.items():
        step = steps[node.index]
        body = {k: v for k, v in step.items() if k not in IGNORED}
        body[DEPENDS] = ", ".join(sorted(str(d) for d in node.depends_on)) or "(start)"
        found[step_id] = body
    return found


def field_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[FieldChange]:
    """The leaves that differ between two step bodies, sorted by path; secrets masked. A
    field that is empty (null, "", {} or []) on one side counts as absent there: from empty
    to a value is "added", not "changed" from `null`."""
    old, new = leaves(before or {}), leaves(after or {})
    old.pop("", None)  # an empty body is no field
    new.pop("", None)
    rows: list[FieldChange] = []
    for path in sorted(old.keys() | new.keys()):
        was, now = path in old and not _blank(old[path]), path in new and not _blank(new[path])
        if not (was or now):
            continue
        if was and now and old[path] == new[path] and type(old[path]) is type(new[path]):
            continue
        kind: Change = "changed" if was and now else ("added" if now else "removed")
        rows.append(
            FieldChange(
                path, kind, _shown(path, old.get(path), was), _shown(path, new.get(path), now)
            )
        )
    return rows


def _step_change(step_id: str, change: Change, rows: list[FieldChange]) -> StepChange:
    return StepChange(step_id, change, tuple(rows[:MAX_FIELDS]), max(0, len(rows) - MAX_FIELDS))


def compare_steps(before: Sequence[Any], after: Sequence[Any]) -> dict[str, StepChange]:
    """The steps that differ, by id, in the newer version's order then the removed ones."""
    old, new = comparable(before), comparable(after)
    found: dict[str, StepChange] = {}
    for step_id, body in new.items():
        if step_id not in old:
            found[step_id] = _step_change(step_id, "added", field_changes(None, body))
        elif rows := field_changes(old[step_id], body):
            found[step_id] = _step_change(step_id, "changed", rows)
    for step_id, body in old.items():
        if step_id not in new:
            found[step_id] = _step_change(step_id, "removed", field_changes(body, None))
    return found


def _union(before: Sequence[Any], after: Sequence[Any], removed: set[str]) -> list[Any]:
    """The newer steps, then the removed ones with their old dependencies written out (so
    their place at the end of the list implies nothing)."""
    graph = lenient_graph(before)
    extra = [
        {**before[node.index], DEPENDS: [str(d) for d in node.depends_on]}
        for step_id, node in graph.nodes.items()
        if step_id in removed
    ]
    return [*after, *extra]


def diff_canvas(before: Sequence[Any], after: Sequence[Any]) -> CanvasDiff:
    """Both versions on one canvas: nodes tagged by change, edges of both tagged by change."""
    steps = compare_steps(before, after)
    removed = {sid for sid, s in steps.items() if s.change == "removed"}
    nodes, _ = to_canvas(_union(before, after, removed))
    for node in nodes:
        found = steps.get(node["id"])
        node["data"] = {**node["data"], "change": found.change if found else ""}
    old_edges, new_edges = edges_of(before), edges_of(after)
    old_ids, new_ids = {e["id"] for e in old_edges}, {e["id"] for e in new_edges}
    edges = [{**e, "change": "" if e["id"] in old_ids else "added"} for e in new_edges]
    edges += [{**e, "change": "removed"} for e in old_edges if e["id"] not in new_ids]
    return CanvasDiff(nodes=nodes, edges=edges, steps=steps)
