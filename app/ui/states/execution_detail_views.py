"""What the execution page shows, built from the execution's detail: plain dicts, no I/O.

The header, the steps, the canvas (the version's nodes and edges, sent once, and the run to
lay over them, `app.core.execution_canvas.run_map`, sent at each update), the timeline (bars
on the shared axis of `app.core.time_axis`) and the waits.
Kept apart from the state so each piece is a function a test can call with a detail dict.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from app.core.approvers import may_decide
from app.core.dates import when_text
from app.core.execution_canvas import run_map
from app.core.statuses import ExecutionStatus
from app.core.time_axis import axis, bar, ticks
from app.ui.components.json_view import pretty_json
from app.ui.components.status_badge import STATUS_COLORS
from app.ui.components.step_items import StepItemsView, no_items, step_items_view
from app.ui.live import duration_text


class ExecutionView(TypedDict):
    id: int
    workflow_id: int
    workflow: str
    version: int
    status: str
    trigger: str
    queued: str
    started: str
    finished: str
    duration: str
    steps: str
    error: str
    failed_step: str
    retry_of: int  # 0: not a retry
    retried_as: list[int]  # the runs that retried this one (bounded by the service)
    parent_id: int  # 0: not a sub-workflow's run
    payload: str


class AttemptView(TypedDict):
    number: int
    started: str
    duration: str
    error: str
    failure_kind: str


class StepView(TypedDict):
    id: str
    key: str  # the step's id in the workflow (`action_id`): the accordion's value
    label: str
    type: str
    status: str
    started: str
    duration: str
    input: str
    output: str
    error: str
    skip_reason: str
    waits_for: str
    attempts: list[AttemptView]
    items: StepItemsView  # a for_each step's items (total 0 for other steps)


class RunNodeData(TypedDict):
    """A node's `data` as sent once (see `app.ui.components.flow_nodes`): the step. How it
    runs comes in `CanvasRun` and the canvas lays it over."""

    step_id: str
    label: str
    kind: str
    outputs: list[str]
    rule: str
    error: str
    index: int


class RunNode(TypedDict):
    id: str
    type: str
    position: dict[str, float]
    initialWidth: float
    initialHeight: float
    data: RunNodeData


class RunEdge(TypedDict):
    id: str
    source: str
    target: str
    sourceHandle: str
    targetHandle: str
    label: str


class StepRun(TypedDict, total=False):
    """A step's entry of the run map (`app.core.execution_canvas.run_entry`): only what is
    not the canvas's default."""

    status: str
    progress: str
    note: str
    hint: str
    pulse: bool
    actions: list[str]


class CanvasRun(TypedDict):
    steps: dict[str, StepRun]
    edges: dict[str, str]  # edge id → skipped / active / done (pending left out)


class MarkView(TypedDict):
    left: str
    failed: bool
    hint: str


class BarView(TypedDict):
    key: str
    label: str
    status: str
    accent: str
    left: str
    width: str
    shown: bool  # False: the step never started (pending, skipped)
    duration: str
    hint: str
    marks: list[MarkView]


class TickView(TypedDict):
    left: str
    label: str


class WaitView(TypedDict):
    id: int
    step: str
    kind: str
    title: str
    message: str
    approvers: str
    url: str
    deadline: str
    child_id: int
    approval_id: int  # 0: not an approval
    can_decide: bool


def time_text(iso: str | None) -> str:
    return when_text(iso, "millisecond")


def _clock(iso: str | None) -> str:
    return when_text(iso, "second")


def _completed(d: dict[str, Any]) -> int:
    """Steps done. The run's counter is written when it ends; until then count the steps."""
    if ExecutionStatus(d["status"]).is_terminal:
        return d["steps_completed"]
    done = sum(1 for s in d.get("steps", ()) if s["status"] in ("succeeded", "skipped"))
    return max(d["steps_completed"], done)


def execution_view(d: dict[str, Any]) -> ExecutionView:
    return ExecutionView(
        id=d["id"],
        workflow_id=d["workflow_id"],
        workflow=d["workflow_name"],
        version=d["workflow_version"],
        status=d["status"],
        trigger=d["trigger_type"],
        queued=time_text(d["queued_at"]),
        started=time_text(d["started_at"]),
        finished=time_text(d["finished_at"]),
        duration=duration_text(d["duration_ms"]),
        steps=f"{_completed(d)}/{d['steps_total']}",
        error=d["error"] or "",
        failed_step=d["failed_step"] or "",
        retry_of=d["retry_of"] or 0,
        retried_as=[r["id"] for r in d.get("retries") or ()],
        parent_id=d.get("parent_execution_id") or 0,
        payload=pretty_json(d.get("trigger_payload")),
    )


def pending_waits(d: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The waits still pending, by the step (action id) that waits."""
    return {w["action_id"]: w for w in d.get("waits") or () if w.get("status") == "pending"}


def wait_title(wait: dict[str, Any]) -> str:
    """One line saying what a step waits for."""
    details = wait.get("details") or {}
    kind = wait.get("kind")
    if kind == "timer":
        return f"Waits until {_clock(details.get('until') or wait.get('resume_at'))}"
    if kind == "webhook":
        return "Waits for a call to its resume URL"
    if kind == "approval":
        return "Waits for an approval"
    if kind == "child":
        child = wait.get("child_execution_id") or details.get("execution_id")
        name = details.get("workflow_name")
        return f"Waits for run #{child}" + (f" of {name}" if name else "")
    return f"Waits ({kind})"


def wait_views(d: dict[str, Any], email: str, role: str) -> list[WaitView]:
    views = []
    for step, wait in pending_waits(d).items():
        details = wait.get("details") or {}
        approvers = [str(a) for a in details.get("approvers") or ()]
        approval_id = wait.get("approval_id") or 0
        deadline = details.get("deadline") or (wait.get("resume_at") if approval_id else None)
        views.append(
            WaitView(
                id=wait["id"],
                step=step,
                kind=str(wait.get("kind") or ""),
                title=wait_title(wait),
                message=str(details.get("message") or ""),
                approvers=", ".join(approvers),
                url=str(wait.get("resume_url") or ""),
                deadline=_clock(deadline) if deadline else "",
                child_id=wait.get("child_execution_id") or 0,
                approval_id=approval_id,
                can_decide=bool(approval_id) and may_decide(approvers, email=email, role=role),
            )
        )
    return views


def step_views(d: dict[str, Any], rows: list[dict[str, Any]] | None = None) -> list[StepView]:
    """The steps list's rows: every step of `d`, or only `rows` (some of its steps)."""
    waiting = pending_waits(d)
    return [
        StepView(
            id=str(s["id"]),
            key=s["action_id"],
            label=f"{s['position'] + 1}. {s['name'] or s['action_id']}",
            type=s["type"],
            status=s["status"],
            started=time_text(s["started_at"]),
            duration=duration_text(s["duration_ms"]),
            input=pretty_json(s["input"]),
            output=pretty_json(s["output"]),
            error=s["error"] or "",
            skip_reason=s["skip_reason"] or "",
            waits_for=wait_title(waiting[s["action_id"]]) if s["action_id"] in waiting else "",
            items=step_items_view(s, execution_id=d["id"]),
            attempts=[
                AttemptView(
                    number=a["number"],
                    started=time_text(a["started_at"]),
                    duration=duration_text(a["duration_ms"]),
                    error=a["error"] or "",
                    failure_kind=a["failure_kind"] or "",
                )
                for a in s["attempts"]
            ],
        )
        for s in (d["steps"] if rows is None else rows)
    ]


def colour(status: str, step: int) -> str:
    """The CSS colour of a status (its badge's Radix scale, at `step`)."""
    return f"var(--{STATUS_COLORS.get(status, 'gray')}-{step})"


def canvas_views(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]]
) -> tuple[list[RunNode], list[RunEdge]]:
    """The version's canvas (`to_canvas`) as sent once: the steps, no run on them."""
    shown = [{**n, "data": {k: v for k, v in n["data"].items() if k != "status"}} for n in nodes]
    return shown, list(edges)  # type: ignore[return-value]


def canvas_run(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    d: dict[str, Any],
    email: str,
    role: str,
) -> CanvasRun:
    """The detail's run, to lay over the version's canvas (`run_map`)."""
    rows = {s["action_id"]: s for s in d.get("steps") or ()}
    ids = [n["id"] for n in nodes]
    return run_map(ids, edges, rows, pending_waits(d), email=email, role=role)  # type: ignore


def selected_step(steps: list[StepView], key: str) -> StepView:
    """The step `key` of the page's steps (an empty one, `pending`, when it has not started)."""
    found = next((s for s in steps if s["key"] == key), None)
    return found or StepView(
        id="",
        key=key,
        label=key,
        type="",
        status="pending",
        started="—",
        duration="—",
        input="",
        output="",
        error="",
        skip_reason="",
        waits_for="",
        attempts=[],
        items=no_items(),
    )


def _at(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def _pct(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


def timeline_views(d: dict[str, Any], now: datetime) -> tuple[list[BarView], list[TickView]]:
    """One bar per step on a shared axis (seconds since the run started), and its ticks.

    Sorted by start, so steps that ran together sit together and overlap; a running or
    waiting step's bar runs until `now`.
    """
    steps = d.get("steps") or []
    origin = _at(d.get("started_at")) or _at(d.get("queued_at")) or now
    spans: dict[int, tuple[float, float]] = {}
    for s in steps:
        start = _at(s["started_at"])
        if start is None:
            continue
        open_ = s["status"] in ("running", "waiting")
        end = _at(s["finished_at"]) or (now if open_ else start)
        spans[s["id"]] = ((start - origin).total_seconds(), (end - origin).total_seconds())
    length, step = axis(max((end for _, end in spans.values()), default=0.0))
    ordered = sorted(
        steps, key=lambda s: (s["id"] not in spans, spans.get(s["id"], (0, 0))[0], s["position"])
    )
    bars = []
    for s in ordered:
        span = spans.get(s["id"])
        shape = bar(span[0], span[1], length) if span else None
        took = duration_text(s["duration_ms"]) if s["duration_ms"] is not None else s["status"]
        bars.append(
            BarView(
                key=s["action_id"],
                label=s["name"] or s["action_id"],
                status=s["status"],
                accent=colour(s["status"], 9),
                left=_pct(shape.left) if shape else "0%",
                width=_pct(shape.width) if shape else "0%",
                shown=shape is not None,
                duration=took if span else (s["skip_reason"] and "skipped") or s["status"],
                hint=f"{s['name'] or s['action_id']} · {s['status']} · {took}",
                marks=_marks(s, origin, length),
            )
        )
    return bars, [TickView(left=_pct(t.pct), label=t.label) for t in ticks(length, step)]


def _marks(step: dict[str, Any], origin: datetime, length: float) -> list[MarkView]:
    """A mark at each attempt of a retried step (red for a failed one); none for one try."""
    attempts = step["attempts"]
    if len(attempts) < 2 and not any(a.get("error") for a in attempts):
        return []
    marks = []
    for a in attempts:
        at = (datetime.fromisoformat(a["started_at"]) - origin).total_seconds()
        what = a.get("error") or "ok"
        marks.append(
            MarkView(
                left=_pct(min(max(at / length * 100, 0), 100) if length else 0),
                failed=bool(a.get("error")),
                hint=f"attempt {a['number']} · {what[:200]}",
            )
        )
    return marks
