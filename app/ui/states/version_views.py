"""What the Versions page shows, shaped from the services' answers: timeline rows, and two
workflow versions drawn on one canvas (`app.core.canvas_diff`) with what changed per node.

Plain functions, no state: `VersionsState` calls them and keeps the results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from app.core.canvas_diff import CanvasDiff, diff_canvas
from app.core.dates import when_text
from app.core.doc_changes import document_changes, plain_words
from app.ui.components.diff_view import FieldChange
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
    summary = plain_words("; ".join(item.get("change_summary") or []))
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


def workflow_fields(
    diff: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[FieldChange]:
    """The field list of a workflow compare: one row per value that differs, steps matched
    by id (`app.core.doc_changes`); secrets masked. (`diff`, DeepDiff's report, is what the
    API answers; the rows are built from the two definitions so added and removed read right.)"""
    return field_rows(document_changes(before, after, by_id=["actions"]))


def field_rows(changes: Sequence[Any]) -> list[FieldChange]:
    """`app.core.canvas_diff.FieldChange`s as the rows the diff view draws."""
    return [FieldChange(path=c.path, kind=c.kind, old=c.old, new=c.new) for c in changes]


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
