"""The execution page's views from a detail dict: timeline bars and marks, waits, the canvas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.canvas import to_canvas
from app.core.execution_canvas import shown_run, wait_note
from app.ui.states.execution_detail_views import (
    canvas_run,
    canvas_views,
    selected_step,
    step_views,
    timeline_views,
    wait_title,
    wait_views,
)

T0 = datetime(2025, 1, 1, 12, tzinfo=UTC)


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


def attempt(number: int, start: float, error: str | None = None) -> dict[str, Any]:
    return {"number": number, "started_at": at(start), "duration_ms": 100.0, "error": error}


def step(pos: int, status: str, start: float | None, end: float | None, **extra: Any) -> dict:
    return {
        "id": pos + 1,
        "position": pos,
        "name": "",
        "action_id": f"a{pos}",
        "type": "transform",
        "status": status,
        "started_at": at(start) if start is not None else None,
        "finished_at": at(end) if end is not None else None,
        "duration_ms": (end - start) * 1000 if start is not None and end is not None else None,
        "skip_reason": None,
        "error": None,
        "attempts": [],
    } | extra


def test_bars_share_one_axis_run_until_now_and_mark_retries() -> None:
    detail = {
        "started_at": at(0),
        "queued_at": at(0),
        "steps": [
            step(0, "succeeded", 0, 1, attempts=[attempt(1, 0, "503"), attempt(2, 0.5)]),
            step(1, "running", 1, None, attempts=[attempt(1, 1)]),
            step(2, "skipped", None, None, skip_reason="branch not taken"),
            step(3, "succeeded", 0, 0.5, attempts=[attempt(1, 0)]),
        ],
    }
    bars, ticks = timeline_views(detail, now=T0 + timedelta(seconds=3))
    by_key = {b["key"]: b for b in bars}
    assert [b["key"] for b in bars] == ["a0", "a3", "a1", "a2"]  # by start, unstarted last
    assert (by_key["a1"]["left"], by_key["a1"]["width"]) == ("33.333%", "66.667%")  # 1 s → now
    assert (by_key["a0"]["left"], by_key["a0"]["width"]) == ("0%", "33.333%")
    assert not by_key["a2"]["shown"] and by_key["a2"]["duration"] == "skipped"
    assert [m["failed"] for m in by_key["a0"]["marks"]] == [True, False]
    assert by_key["a3"]["marks"] == []  # one try that worked: its bar says it all
    assert [t["label"] for t in ticks] == ["0", "500 ms", "1 s", "1.5 s", "2 s", "2.5 s", "3 s"]
    assert by_key["a0"]["accent"] == "var(--green-9)" and by_key["a1"]["accent"] == "var(--blue-9)"


WAITS = [
    ({"kind": "timer", "details": {"until": at(90)}}, "Waits until 2025-01-01 12:01:30 UTC"),
    ({"kind": "webhook", "details": {}}, "Waits for a call to its resume URL"),
    ({"kind": "approval", "details": {"message": "ok?"}}, "Waits for an approval"),
    (
        {"kind": "child", "child_execution_id": 7, "details": {"workflow_name": "Billing"}},
        "Waits for run #7 of Billing",
    ),
]


@pytest.mark.parametrize(("wait", "title"), WAITS)
def test_each_kind_of_wait_says_what_it_waits_for(wait: dict, title: str) -> None:
    assert wait_title(wait) == title
    assert wait_note(wait).startswith(("waiting until 12:01 UTC", "waiting for "))


def _wait(kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": 1,
        "action_id": "ask",
        "kind": kind,
        "status": "pending",
        "details": {},
        "approval_id": None,
        "child_execution_id": None,
        "resume_at": None,
    } | extra


def test_only_named_approvers_see_decision_buttons_and_done_waits_are_not_shown() -> None:
    approval = _wait(
        "approval", approval_id=4, details={"message": "Ship?", "approvers": ["ops@x.io", "admin"]}
    )
    detail = {"waits": [approval, _wait("timer", id=2, action_id="t", status="done")]}
    [view] = wait_views(detail, "ops@x.io", "member")
    assert (view["approval_id"], view["approvers"], view["can_decide"]) == (
        4,
        "ops@x.io, admin",
        True,
    )
    assert wait_views(detail, "admin@x.io", "admin")[0]["can_decide"]  # the role is listed
    assert not wait_views(detail, "someone@x.io", "member")[0]["can_decide"]
    assert not wait_views(detail, "ops@x.io", "viewer")[0]["can_decide"]  # viewers never
    hook = _wait("webhook", resume_url="http://h/api/hooks/resume/tok")
    assert wait_views({"waits": [hook]}, "a@b.c", "member")[0]["url"].endswith("/resume/tok")


def test_the_canvas_shows_the_waiting_approval_to_its_approver_and_the_rest_pending() -> None:
    steps = [
        {"id": "ask", "name": "Ask", "type": "approval"},
        {"id": "next", "name": "Next", "type": "transform", "depends_on": ["ask:approved"]},
    ]
    nodes, edges = to_canvas(steps)
    detail = {
        "steps": [step(0, "waiting", 0, None, action_id="ask", type="approval")],
        "waits": [_wait("approval", approval_id=1, details={"approvers": ["ops@x.io"]})],
    }
    shown, sent_edges = canvas_views(nodes, edges)
    assert [n["data"]["label"] for n in shown] == ["Ask", "Next"]
    assert all("status" not in n["data"] for n in shown)  # the run comes apart
    [edge] = sent_edges
    assert edge["label"] == "approved" and "style" not in edge
    run = canvas_run(nodes, edges, detail, "ops@x.io", "member")
    ask = shown_run("ask", run["steps"]["ask"])
    assert (ask["status"], ask["note"]) == ("waiting", "waiting for approval")
    assert ask["pulse"] and ask["actions"] == ["approve", "reject"]
    assert "next" not in run["steps"]  # pending
    assert run["edges"] == {}  # into a pending step: not reached yet
    other = canvas_run(nodes, edges, detail, "someone@x.io", "member")
    assert "actions" not in other["steps"]["ask"] and other["steps"]["ask"]["pulse"]


def test_the_selected_step_is_the_steps_own_view_or_a_not_started_one() -> None:
    detail = {"id": 1, "steps": [step(0, "succeeded", 0, 1, output={"a": 1}, input={})]}
    views = step_views(detail)
    assert selected_step(views, "a0") == views[0]
    missing = selected_step(views, "later")
    assert (missing["id"], missing["key"], missing["status"]) == ("", "later", "pending")
