"""An execution on the canvas: its steps' run, to lay over the nodes and edges of its version. Pure.

`app.core.canvas.to_canvas` turns the version's steps into nodes and edges once per execution
(positions never change while it runs), and the page sends them once. At every live update
only `run_map` is sent: per step its status, a `for_each` node's `37/100`, a short note (how
long it took, what it waits for, the error's first line, how many attempts), a waiting approval
pulsing with Approve / Reject for the people who may decide it; per edge how the run went
along it. The canvas (`app.ui.components.flow_canvas`) lays the map over the nodes and edges it
has and draws an edge greyed and dashed when the run did not go along it (the branch not
taken), animated into a running step, in its target's status colour once it ran.

A step the run has no row for yet (a queued run) is `pending`. The map leaves out what the
canvas assumes (`shown_run` says it): pending steps, empty fields, a hint saying only
"id · status", edges not reached yet. A 200-step run's map is ~10 KB, its canvas ~150 KB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.core.approvers import may_decide

Row = Mapping[str, Any]
NOT_TAKEN = frozenset({"skipped", "cancelled"})
RAN = frozenset({"succeeded", "failed", "interrupted"})
LIVE = frozenset({"running", "waiting"})
ITEM_ENDED = ("succeeded", "failed", "skipped", "cancelled")
NOTE_MAX = 60
HINT_MAX = 300
APPROVAL_ACTIONS = ["approve", "reject"]
PENDING = "pending"


def duration_text(ms: float | None) -> str:
    """The house way of saying a duration; "" for none."""
    if ms is None:
        return ""
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    return f"{ms / 60_000:.1f} min"


def first_line(text: str | None, limit: int = NOTE_MAX) -> str:
    """The first non-blank line of `text`, cut to `limit` characters with an ellipsis."""
    line = next((part.strip() for part in (text or "").splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def wait_note(wait: Row) -> str:
    """What a waiting step waits for, short enough for its node."""
    details = wait.get("details") or {}
    kind = wait.get("kind")
    if kind == "approval":
        return "waiting for approval"
    if kind == "timer":
        until = details.get("until") or wait.get("resume_at")
        return f"waiting until {str(until)[11:16]} UTC" if until else "waiting on a timer"
    if kind == "webhook":
        return "waiting for a webhook call"
    if kind == "child":
        return f"waiting for run #{wait.get('child_execution_id') or details.get('execution_id')}"
    return f"waiting ({kind})"


def progress(row: Row | None) -> str:
    """`done/total` of a `for_each` step's items ("" for other steps, or before any item)."""
    block = (row or {}).get("items") or {}
    total = block.get("total") or 0
    if not total:
        return ""
    counts = block.get("counts") or {}
    return f"{sum(counts.get(s, 0) for s in ITEM_ENDED)}/{total}"


def _attempts(row: Row) -> int:
    return len(row.get("attempts") or ())


def note(row: Row | None, wait: Row | None) -> str:
    """One short line under the node's name: what a person wants to know of the step first."""
    if row is None:
        return ""
    status, tries = row["status"], _attempts(row)
    more = f"{tries} attempts" if tries > 1 else ""
    if wait is not None and status == "waiting":
        return wait_note(wait)
    if status in ("failed", "interrupted"):
        error = first_line(row.get("error"), NOTE_MAX - (len(more) + 3 if more else 0)) or status
        return f"{more} · {error}" if more else error
    if status == "skipped":
        return first_line(row.get("skip_reason")) or "not taken"
    if status == "running":
        return f"attempt {tries}" if tries > 1 else ""
    took = duration_text(row.get("duration_ms")) if status == "succeeded" else ""
    return " · ".join(part for part in (took, more) if part)


def _hint(step_id: str, status: str, row: Row | None, wait: Row | None) -> str:
    """The node's tooltip: the whole of what the note shortens."""
    row = row or {}
    detail = row.get("error") or row.get("skip_reason") or (wait_note(wait) if wait else "")
    text = f"{step_id} · {status}" + (f" · {detail}" if detail else "")
    return text[:HINT_MAX]


def node_run(
    step_id: str, row: Row | None, wait: Row | None, *, email: str, role: str
) -> dict[str, Any]:
    """The run's part of a node's `data` (see `app.ui.components.flow_nodes`)."""
    status = row["status"] if row is not None else PENDING
    waiting = wait if status == "waiting" else None
    approval = waiting is not None and waiting.get("kind") == "approval"
    approvers = [str(a) for a in ((waiting or {}).get("details") or {}).get("approvers") or ()]
    decides = (
        approval
        and bool(waiting.get("approval_id"))  # type: ignore[union-attr]
        and may_decide(approvers, email=email, role=role)
    )
    return {
        "status": status,
        "progress": progress(row),
        "note": note(row, waiting),
        "hint": _hint(step_id, status, row, waiting),
        "pulse": approval,
        "actions": list(APPROVAL_ACTIONS) if decides else [],
    }


def run_entry(
    step_id: str, row: Row | None, wait: Row | None, *, email: str, role: str
) -> dict[str, Any]:
    """`node_run` without what the canvas assumes (see `shown_run`): `{}` for a pending step."""
    run = node_run(step_id, row, wait, email=email, role=role)
    entry = {key: value for key, value in run.items() if value}
    if entry.get("hint") == f"{step_id} · {run['status']}":
        del entry["hint"]
    if entry == {"status": PENDING}:
        return {}
    return entry


def shown_run(step_id: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    """What a node shows for its map entry (absent: `{}`): `node_run`'s fields, filled in. The
    canvas's JavaScript (`fdRunData` in `app.ui.components.flow_canvas`) does the same."""
    status = entry.get("status") or PENDING
    return {
        "status": status,
        "progress": entry.get("progress") or "",
        "note": entry.get("note") or "",
        "hint": entry.get("hint") or f"{step_id} · {status}",
        "pulse": bool(entry.get("pulse")),
        "actions": list(entry.get("actions") or ()),
    }


def edge_state(source: str, target: str) -> str:
    """How the run went along an edge, from its ends' statuses.

    `skipped`: not taken (either end skipped or cancelled); `active`: into a running or
    waiting step; `done`: into a step that ran; `pending`: not reached yet.
    """
    if source in NOT_TAKEN or target in NOT_TAKEN:
        return "skipped"
    if target in LIVE:
        return "active"
    if target in RAN:
        return "done"
    return "pending"


def run_map(
    step_ids: Sequence[str],
    edges: Sequence[Mapping[str, Any]],
    rows: Mapping[str, Row],
    waits: Mapping[str, Row],
    *,
    email: str,
    role: str,
) -> dict[str, dict[str, Any]]:
    """The run to lay over the canvas: `{"steps": {id: entry}, "edges": {edge id: state}}`.

    `edges` from `to_canvas`; `rows` and `waits` by step id (the execution's step rows, its
    pending waits). Pending steps and edges are left out (see `shown_run`, `edge_state`)."""
    steps = {}
    for step_id in step_ids:
        entry = run_entry(step_id, rows.get(step_id), waits.get(step_id), email=email, role=role)
        if entry:
            steps[step_id] = entry
    statuses = {step_id: row["status"] for step_id, row in rows.items()}
    states = {}
    for edge in edges:
        source = statuses.get(edge["source"], PENDING)
        state = edge_state(source, statuses.get(edge["target"], PENDING))
        if state != PENDING:
            states[edge["id"]] = state
    return {"steps": steps, "edges": states}
