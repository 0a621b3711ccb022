"""What the Versions page shows, shaped from the services' answers: timeline rows, and two
workflow versions drawn on one canvas (`app.core.canvas_diff`) with what changed per node.

Plain functions, no state: `VersionsState` calls them and keeps the results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from app.core.canvas_diff import CanvasDiff, diff_canvas, field_changes, is_secret_path
from app.core.dates import when_text
from app.core.redact import REDACTED, redact
from app.ui.components.diff_view import FieldChange, flatten_diff, readable_path, value_text
from app.ui.components.flow_nodes import CHANGE_COLORS

MAX_LISTED = 40  # changed steps named above the canvas (a click on one selects it)


class ItemOption(TypedDict):
    id: int
    label: str
    detail: str


class VersionRow(TypedDict):
    number: int
    who: str
    when: str
    change_type: str
    summary: str
    description: str
    commit: str
    restored: str
    current: bool


class DiffNodeData(TypedDict):
    step_id: str
    label: str
    kind: str
    outputs: list[str]
    rule: str
    error: str
    status: str
    index: int
    change: str


class DiffNode(TypedDict):
    id: str
    type: str
    position: dict[str, float]
    data: DiffNodeData


class DiffEdge(TypedDict):
    id: str
    source: str
    target: str
    sourceHandle: str
    targetHandle: str
    label: str
    style: dict[str, str]


class ChangedStep(TypedDict):
    id: str
    label: str
    change: str


class NodeChangeRow(TypedDict):
    path: str
    kind: str  # added, removed, changed
    old: str
    new: str


@dataclass(frozen=True)
class NodeDetail:
    """What a click on a node of the compare canvas lists."""

    title: str
    change: str
    rows: list[NodeChangeRow]
    more: int = 0


@dataclass(frozen=True)
class GraphView:
    nodes: list[DiffNode]
    edges: list[DiffEdge]
    summary: str
    details: dict[str, NodeDetail] = field(default_factory=dict)
    changed: list[ChangedStep] = field(default_factory=list)


MAX_NUMBER = 2**31 - 1  # ids and version numbers; a larger one would overflow the database


def bounded_number(value: Any) -> int:
    """A forged event may send anything; what is not a whole number in range names nothing."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return number if 0 < number <= MAX_NUMBER else 0


def _when(iso: str) -> str:
    return when_text(iso)


def version_row(item: dict[str, Any], emails: dict[int, str], current: int) -> VersionRow:
    """One timeline entry from a workflow or article version's JSON."""
    by = item.get("changed_by")
    restored, reason = item.get("restored_from"), item.get("reason")
    restored_text = ""
    if restored is not None:
        restored_text = f"restored v{restored}" + (f" because “{reason}”" if reason else "")
    description = item.get("change_description") or ""
    summary = "; ".join(item.get("change_summary") or [])
    change_type = item["change_type"].replace("_", " ")
    if description in (summary, item["change_type"]) or (
        restored is not None and description.endswith(f"to version {restored}")
    ):
        description = ""  # it would only repeat the summary or the "restored" line
    return VersionRow(
        number=item["version_number"],
        who=emails.get(by, f"user {by}") if by is not None else "flowdeck",
        when=_when(item["created_at"]),
        change_type=change_type,
        summary=summary,
        description=description,
        commit=(item.get("commit_hash") or "")[:10],
        restored=restored_text,
        current=item["version_number"] == current,
    )


def masked_diff(diff: Mapping[str, Any]) -> dict[str, Any]:
    """A DeepDiff JSON with every value under a secret-named key masked, for the text diff."""
    masked: dict[str, Any] = {}
    for kind, entries in diff.items():
        if not isinstance(entries, Mapping):
            masked[kind] = entries
            continue
        masked[kind] = {
            path: _masked_entry(value) if is_secret_path(readable_path(path)) else redact(value)
            for path, value in entries.items()
        }
    return masked


def _masked_entry(value: Any) -> Any:
    if isinstance(value, Mapping) and ("old_value" in value or "new_value" in value):
        return {**value, "old_value": REDACTED, "new_value": REDACTED}
    return REDACTED


def _is_action_path(path: str) -> bool:
    return path == "actions" or path.startswith(("actions.", "actions["))


def _by_id(steps: Sequence[Any]) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for step in steps:
        if isinstance(step, Mapping) and isinstance(step.get("id"), str):
            found.setdefault(step["id"], step)
    return found


def action_rows(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    """The steps' text changes matched by id: `actions.<id>.<field>` old → new, a step added
    or removed as one row. (DeepDiff matches list items by position, so removing the second
    of three steps read as "step 2 renamed to step 3, step 3 removed".)"""
    old, new = _by_id(_steps(before)), _by_id(_steps(after))
    rows: list[FieldChange] = []
    for step_id in [*new, *(k for k in old if k not in new)]:
        where = f"actions.{step_id}"
        if step_id not in old or step_id not in new:
            added = step_id in new
            text = value_text(redact(dict(new[step_id] if added else old[step_id])))
            kind = "added" if added else "removed"
            old_text, new_text = ("", text) if added else (text, "")
            rows.append(FieldChange(path=where, kind=kind, old=old_text, new=new_text))
            continue
        for f in field_changes(old[step_id], new[step_id]):
            rows.append(FieldChange(path=f"{where}.{f.path}", kind=f.kind, old=f.old, new=f.new))
    return rows


def workflow_fields(
    diff: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[FieldChange]:
    """The field list of a workflow compare: DeepDiff's rows outside the steps (secrets
    masked), the steps' rows matched by id."""
    rest = [
        r for r in flatten_diff(masked_diff(diff), before, after) if not _is_action_path(r["path"])
    ]
    return sorted([*rest, *action_rows(before, after)], key=lambda r: r["path"])


def edge_style(change: str) -> dict[str, str]:
    """Added edges green, removed ones red and dashed; the others as the canvas draws them."""
    color = CHANGE_COLORS.get(change)
    if not color:
        return {}
    style = {"stroke": f"var(--{color}-9)", "strokeWidth": "2"}
    return {**style, "strokeDasharray": "6 4"} if change == "removed" else style


def _steps(definition: Mapping[str, Any]) -> Sequence[Any]:
    actions = definition.get("actions")
    return actions if isinstance(actions, list) else []


def _summary(drawn: CanvasDiff) -> str:
    parts = [
        f"{drawn.count(change)} {change}"
        for change in ("added", "removed", "changed")
        if drawn.count(change)
    ]
    return " · ".join(parts) if parts else "The steps are the same"


def graph_view(before: Mapping[str, Any], after: Mapping[str, Any]) -> GraphView:
    """Both versions' steps on one canvas, and per differing step what a click lists."""
    drawn = diff_canvas(_steps(before), _steps(after))
    labels = {node["id"]: node["data"]["label"] for node in drawn.nodes}
    details = {
        step_id: NodeDetail(
            title=labels.get(step_id, step_id),
            change=found.change,
            rows=[
                NodeChangeRow(path=f.path, kind=f.kind, old=f.old, new=f.new) for f in found.fields
            ],
            more=found.more,
        )
        for step_id, found in drawn.steps.items()
    }
    edges = [
        DiffEdge(
            id=e["id"],
            source=e["source"],
            target=e["target"],
            sourceHandle=e["sourceHandle"],
            targetHandle=e["targetHandle"],
            label=e["label"],
            style=edge_style(e["change"]),
        )
        for e in drawn.edges
    ]
    changed = [
        ChangedStep(id=step_id, label=detail.title, change=detail.change)
        for step_id, detail in details.items()
    ][:MAX_LISTED]
    return GraphView(drawn.nodes, edges, _summary(drawn), details, changed)  # type: ignore[arg-type]
