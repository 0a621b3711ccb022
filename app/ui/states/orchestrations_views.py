"""What the orchestration pages show, shaped from the services' dicts: plain data, no I/O.

The list's rows, an orchestration's runs, one run with its calls (request and response as
stored: masked and capped by the runner), the call timeline (bars on the shared axis of
`app.core.time_axis`, in the look of the execution timeline, so calls that ran together
overlap) and the calls as canvas nodes for the read-only dependency graph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypedDict

from app.core import dates
from app.core.canvas import to_canvas
from app.core.time_axis import axis, bar, ticks
from app.ui.components.json_view import pretty_json
from app.ui.live import duration_text
from app.ui.states.execution_detail_views import BarView, MarkView, TickView, colour

RUN_ENDED = ("succeeded", "failed", "partial", "cancelled")
NOT_RUN = ("pending", "skipped")


class OrchestrationRow(TypedDict):
    id: int
    name: str
    mode: str
    calls: int
    runs: int
    success_rate: str
    avg: str
    p95: str
    last_status: str
    last_run: str
    last_run_id: int
    active: bool
    problems: int


class RunRow(TypedDict):
    id: int
    status: str
    trigger: str
    started: str
    duration: str
    calls: str
    error: str


class RunView(TypedDict):
    id: int
    orchestration_id: int
    orchestration: str
    version: int
    status: str
    trigger: str
    started: str
    finished: str
    duration: str
    calls: str
    error: str
    inputs: str
    execution_id: int


class AttemptView(TypedDict):
    number: int
    at: str
    duration: str
    status_code: str
    error: str
    kind: str


class CallView(TypedDict):
    key: str
    label: str
    status: str
    method: str
    url: str
    status_code: str
    started: str
    duration: str
    size: str
    reason: str
    error: str
    request: str
    response: str
    extracted: str
    attempts: list[AttemptView]


class GraphNodeData(TypedDict):
    step_id: str
    label: str
    kind: str
    outputs: list[str]
    rule: str
    error: str
    status: str
    index: int
    note: str


class GraphNode(TypedDict):
    id: str
    type: str
    position: dict[str, float]
    data: GraphNodeData


class GraphEdge(TypedDict):
    id: str
    source: str
    target: str
    sourceHandle: str
    targetHandle: str
    label: str


def when_text(iso: str | None) -> str:
    return dates.when_text(iso, "second")


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def orchestration_row(item: Mapping[str, Any]) -> OrchestrationRow:
    return OrchestrationRow(
        id=item["id"],
        name=item["name"],
        mode=item["mode"],
        calls=item["call_count"],
        runs=item["runs"] or 0,
        success_rate=_rate(item["success_rate"]),
        avg=duration_text(item["avg_ms"]),
        p95=duration_text(item["p95_ms"]),
        last_status=item["last_status"] or "",
        last_run=dates.when_text(item["last_run_at"], empty=""),
        last_run_id=item["last_run_id"] or 0,
        active=bool(item["is_active"]),
        problems=len(item.get("problems") or ()),
    )


def _calls_done(item: Mapping[str, Any]) -> str:
    return f"{item.get('calls_done') or 0}/{item.get('calls_total') or 0}"


def run_row(item: Mapping[str, Any]) -> RunRow:
    return RunRow(
        id=item["id"],
        status=item["status"],
        trigger=item["trigger"] or "",
        started=when_text(item["started_at"]),
        duration=duration_text(item["duration_ms"]),
        calls=_calls_done(item),
        error=(item["error"] or "")[:160],
    )


def _succeeded_of(d: Mapping[str, Any]) -> str:
    """`ok/total`: calls that succeeded of all the run's calls."""
    calls = d.get("calls") or []
    total = max(d.get("calls_total") or 0, len(calls))
    ok = sum(1 for c in calls if c.get("status") == "succeeded")
    return f"{ok}/{total} succeeded"


def run_view(d: Mapping[str, Any]) -> RunView:
    return RunView(
        id=d["id"],
        orchestration_id=d["orchestration_id"],
        orchestration=d["orchestration_name"],
        version=d.get("orchestration_version") or 0,
        status=d["status"],
        trigger=d.get("trigger") or "",
        started=when_text(d["started_at"]),
        finished=when_text(d["finished_at"]),
        duration=duration_text(d["duration_ms"]),
        calls=_succeeded_of(d),
        error=d.get("error") or "",
        inputs=pretty_json(d.get("inputs")),
        execution_id=d.get("execution_id") or 0,
    )


def _ms(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _code(value: Any) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""


def _size(value: Any) -> str:
    if not isinstance(value, int) or isinstance(value, bool):
        return ""
    return f"{value} B" if value < 1024 else f"{value / 1024:.1f} KB"


def call_views(d: Mapping[str, Any]) -> list[CallView]:
    views = []
    for c in d.get("calls") or []:
        legacy = c.get("legacy")
        ran = c.get("status") not in NOT_RUN
        start = _ms(c.get("start_ms")) if ran else None
        views.append(
            CallView(
                key=str(c["id"]),
                label=str(c["id"]),
                status=str(c.get("status") or ""),
                method=str(c.get("method") or ""),
                url=str(c.get("url") or ""),
                status_code=_code(c.get("status_code")),
                started="—" if start is None else f"+{duration_text(start)}",
                duration=duration_text(_ms(c.get("duration_ms")) if ran else None),
                size=_size(c.get("response_bytes")),
                reason=str(c.get("reason") or ""),
                error=str(c.get("error") or ""),
                request=pretty_json(c.get("request")),
                response=pretty_json(c.get("response") if legacy is None else legacy),
                extracted=pretty_json(c.get("extracted")),
                attempts=[
                    AttemptView(
                        number=int(a.get("number") or n + 1),
                        at="—"
                        if _ms(a.get("start_ms")) is None
                        else f"+{duration_text(a['start_ms'])}",
                        duration=duration_text(_ms(a.get("duration_ms"))),
                        status_code=_code(a.get("status_code")),
                        error=str(a.get("error") or ""),
                        kind=str(a.get("kind") or ""),
                    )
                    for n, a in enumerate(c.get("attempts") or [])
                    if isinstance(a, Mapping)
                ],
            )
        )
    return views


def _pct(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "%"


def elapsed_ms(d: Mapping[str, Any], now: datetime) -> float:
    """How long the run has gone on (its duration once it ended)."""
    if d.get("duration_ms") is not None:
        return float(d["duration_ms"])
    started = d.get("started_at")
    if not started:
        return 0.0
    return max(0.0, (now - datetime.fromisoformat(started)).total_seconds() * 1000)


def timeline_views(d: Mapping[str, Any], now: datetime) -> tuple[list[BarView], list[TickView]]:
    """One bar per call (seconds since the run started) on one axis, sorted by start.

    A call still running reaches `now`; calls that never started (pending, skipped) keep a
    row with no bar, saying why.
    """
    calls = [c for c in d.get("calls") or [] if isinstance(c, Mapping)]
    so_far = elapsed_ms(d, now)
    spans: dict[str, tuple[float, float]] = {}
    for c in calls:
        start = _ms(c.get("start_ms"))
        if start is None or c.get("status") in NOT_RUN:  # a skip is stamped, never ran
            continue
        took = _ms(c.get("duration_ms"))
        end = start + took if took is not None else max(so_far, start)
        spans[str(c["id"])] = (start / 1000, end / 1000)
    length, step = axis(max((end for _, end in spans.values()), default=0.0))
    ordered = sorted(
        enumerate(calls),
        key=lambda p: (str(p[1]["id"]) not in spans, spans.get(str(p[1]["id"]), (0, 0))[0], p[0]),
    )
    bars = []
    for _, c in ordered:
        key, status = str(c["id"]), str(c.get("status") or "")
        span = spans.get(key)
        shape = bar(span[0], span[1], length) if span else None
        took = (
            duration_text(_ms(c.get("duration_ms"))) if c.get("duration_ms") is not None else status
        )
        code = _code(c.get("status_code"))
        bars.append(
            BarView(
                key=key,
                label=key,
                status=status,
                accent=colour(status, 9),
                left=_pct(shape.left) if shape else "0%",
                width=_pct(shape.width) if shape else "0%",
                shown=shape is not None,
                duration=took if span else status,
                hint=" · ".join(p for p in (key, status, code, took) if p),
                marks=_marks(c, length),
            )
        )
    return bars, [TickView(left=_pct(t.pct), label=t.label) for t in ticks(length, step)]


def _marks(call: Mapping[str, Any], length: float) -> list[MarkView]:
    """A mark at each attempt of a retried call (red for a failed one); none for one try."""
    attempts = [a for a in call.get("attempts") or [] if isinstance(a, Mapping)]
    if len(attempts) < 2 and not any(a.get("error") for a in attempts):
        return []
    marks = []
    for a in attempts:
        at = (_ms(a.get("start_ms")) or 0.0) / 1000
        what = str(a.get("error") or "ok")
        marks.append(
            MarkView(
                left=_pct(min(max(at / length * 100, 0), 100) if length else 0),
                failed=bool(a.get("error")),
                hint=f"attempt {a.get('number')} · {what[:200]}",
            )
        )
    return marks


# -- the dependency graph ---------------------------------------------------------------------


def call_steps(mode: str, calls: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The calls as step-like dicts for `to_canvas`, read the way the mode runs them: in
    `parallel` and `conditional` a call naming no dependency starts at once; in the listed
    modes it follows the call before it."""
    steps = []
    for call in calls:
        depends = call.get("depends_on")
        step: dict[str, Any] = {
            "id": str(call.get("id") or ""),
            "type": str(call.get("method") or "GET"),
            "name": str(call.get("name") or "")
            or str(call.get("url") or "")
            or str(call.get("id")),
        }
        if depends or mode in ("parallel", "conditional"):
            step["depends_on"] = list(depends or [])
        steps.append(step)
    return steps


def graph_views(
    mode: str, calls: Sequence[Mapping[str, Any]], errors: Mapping[str, str] | None = None
) -> tuple[list[GraphNode], list[GraphEdge]]:
    """Nodes and edges of the calls' dependency graph; a call's problems on its node."""
    problems = {
        "actions" + path.removeprefix("calls"): message
        for path, message in (errors or {}).items()
        if path.startswith("calls[")
    }
    nodes, edges = to_canvas(call_steps(mode, calls), problems)
    for node in nodes:
        node["data"]["note"] = ""
        if mode == "conditional":
            index = node["data"]["index"]
            condition = str(calls[index].get("condition") or "").strip()
            node["data"]["note"] = f"if {condition}"[:60] if condition else ""
    return nodes, edges  # type: ignore[return-value]
