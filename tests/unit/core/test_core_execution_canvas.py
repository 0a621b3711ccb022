"""An execution's run for its canvas: statuses, notes, progress, approvals, edge states, the map."""

from __future__ import annotations

import json

import pytest

from app.core import canvas, execution_canvas
from app.core.execution_canvas import edge_state, node_run, note, run_entry, run_map, shown_run

ME = {"email": "ann@example.com", "role": "member"}


def _row(status: str, **extra) -> dict:
    base = {"status": status, "error": None, "skip_reason": None, "duration_ms": None}
    return {**base, "attempts": [{"number": 1}], **extra}


def _attempts(n: int) -> list[dict]:
    return [{"number": i + 1} for i in range(n)]


def _approval(approvers: list[str], approval_id: int = 7) -> dict:
    details = {"approvers": approvers, "message": "Ship?"}
    return {"kind": "approval", "status": "pending", "approval_id": approval_id, "details": details}


NOTES = [
    # (row, wait, note)
    (None, None, ""),
    (_row("pending", attempts=[]), None, ""),
    (_row("succeeded", duration_ms=412), None, "412 ms"),
    (_row("succeeded", duration_ms=2500, attempts=_attempts(3)), None, "2.5 s · 3 attempts"),
    (_row("failed", error="HTTP 502 Bad Gateway\ntraceback…"), None, "HTTP 502 Bad Gateway"),
    (_row("failed", error="boom", attempts=_attempts(3)), None, "3 attempts · boom"),
    (_row("failed", error=None), None, "failed"),
    (_row("interrupted", error="the process stopped"), None, "the process stopped"),
    (_row("failed", error="x" * 200), None, "x" * 59 + "…"),
    (_row("skipped", skip_reason='check chose "true"'), None, 'check chose "true"'),
    (_row("skipped"), None, "not taken"),
    (_row("running", attempts=_attempts(2)), None, "attempt 2"),
    (_row("running"), None, ""),
    (_row("waiting"), _approval(["admin"]), "waiting for approval"),
    (
        _row("waiting"),
        {"kind": "timer", "details": {"until": "2026-12-01T14:05:00+00:00"}},
        "waiting until 14:05 UTC",
    ),
    (_row("waiting"), {"kind": "webhook", "details": {}}, "waiting for a webhook call"),
    (_row("waiting"), {"kind": "child", "child_execution_id": 12}, "waiting for run #12"),
    (_row("cancelled"), None, ""),
]


@pytest.mark.parametrize(("row", "wait", "expected"), NOTES)
def test_the_note_says_what_matters_first(row, wait, expected):
    assert note(row, wait) == expected
    assert len(expected) <= execution_canvas.NOTE_MAX


MIXED = {"total": 100, "counts": {"succeeded": 30, "failed": 5, "skipped": 2, "pending": 63}}
PROGRESS = [
    (None, ""),
    (_row("running"), ""),
    (_row("running", items={"total": 0, "counts": {}}), ""),
    (_row("running", items={"total": 100, "counts": {"succeeded": 30, "pending": 63}}), "30/100"),
    (
        _row(
            "running", items={"total": 100, "counts": {"succeeded": 30, "failed": 5, "skipped": 2}}
        ),
        "37/100",
    ),
    (_row("succeeded", items={"total": 3, "counts": {"succeeded": 3}}), "3/3"),
]


@pytest.mark.parametrize(("row", "expected"), PROGRESS)
def test_a_for_each_node_counts_its_items(row, expected):
    assert execution_canvas.progress(row) == expected


DECIDERS = [
    # (approvers, email, role, may decide)
    (["ann@example.com"], "ann@example.com", "member", True),
    (["ANN@example.com "], "ann@example.com", "member", True),
    (["member"], "bob@example.com", "member", True),
    (["admin"], "ann@example.com", "member", False),
    (["ann@example.com"], "ann@example.com", "viewer", False),  # viewers never decide
    (["bob@example.com"], "ann@example.com", "admin", False),  # admins only when listed
]


@pytest.mark.parametrize(("approvers", "email", "role", "decides"), DECIDERS)
def test_a_waiting_approval_pulses_and_only_its_approvers_get_buttons(
    approvers, email, role, decides
):
    run = node_run("gate", _row("waiting"), _approval(approvers), email=email, role=role)
    assert run["status"] == "waiting" and run["pulse"] is True
    assert run["actions"] == (["approve", "reject"] if decides else [])


def test_no_buttons_once_the_approval_is_decided_or_for_other_waits():
    decided = node_run("gate", _row("succeeded"), _approval(["member"]), **ME)
    assert decided["actions"] == [] and not decided["pulse"]
    timer = {"kind": "timer", "details": {}, "approval_id": None}
    waiting = node_run("nap", _row("waiting"), timer, **ME)
    assert waiting["actions"] == [] and not waiting["pulse"]
    no_id = node_run("gate", _row("waiting"), _approval(["member"], approval_id=0), **ME)
    assert no_id["actions"] == [] and no_id["pulse"]


def test_a_step_without_a_row_is_pending_and_the_hint_keeps_the_whole_error():
    assert node_run("x", None, None, **ME) == {
        "status": "pending",
        "progress": "",
        "note": "",
        "hint": "x · pending",
        "pulse": False,
        "actions": [],
    }
    failed = node_run("x", _row("failed", error="a" * 1000), None, **ME)
    assert failed["hint"].startswith("x · failed · aaa") and len(failed["hint"]) == 300


EDGES = [
    # (source status, target status, state)
    ("succeeded", "succeeded", "done"),
    ("succeeded", "failed", "done"),
    ("succeeded", "skipped", "skipped"),  # the branch not taken
    ("skipped", "succeeded", "skipped"),  # a join after a branch not taken
    ("succeeded", "cancelled", "skipped"),
    ("succeeded", "running", "active"),
    ("succeeded", "waiting", "active"),
    ("succeeded", "pending", "pending"),
    ("running", "pending", "pending"),
    ("pending", "pending", "pending"),
]


@pytest.mark.parametrize(("source", "target", "state"), EDGES)
def test_edge_states(source, target, state):
    assert edge_state(source, target) == state


@pytest.mark.parametrize(("row", "wait", "expected"), NOTES)
def test_a_map_entry_leaves_out_only_what_the_canvas_fills_in(row, wait, expected):
    entry = run_entry("step-1", row, wait, **ME)
    assert shown_run("step-1", entry) == node_run("step-1", row, wait, **ME)
    assert all(entry.values())  # no empty field is sent
    assert "hint" not in entry or " · " in entry["hint"][len("step-1 · ") :]


def test_a_pending_step_has_no_entry_and_a_waiting_approval_keeps_its_buttons():
    assert run_entry("x", None, None, **ME) == {}
    assert run_entry("x", _row("pending", attempts=[]), None, **ME) == {}
    gate = run_entry("gate", _row("waiting"), _approval(["member"]), **ME)
    assert gate == {
        "status": "waiting",
        "note": "waiting for approval",
        "hint": "gate · waiting · waiting for approval",
        "pulse": True,
        "actions": ["approve", "reject"],
    }
    assert shown_run("x", {}) == node_run("x", None, None, **ME)


def _branchy() -> list[dict]:
    return [
        {"id": "check", "type": "if", "config": {"condition": "true"}},
        {"id": "yes", "type": "transform", "config": {}, "depends_on": ["check:true"]},
        {"id": "no", "type": "transform", "config": {}, "depends_on": ["check:false"]},
        {"id": "each", "type": "for_each", "config": {}, "depends_on": ["yes"]},
        {
            "id": "join",
            "type": "transform",
            "config": {},
            "depends_on": ["each", "no"],
            "trigger_rule": "none_failed",
        },
    ]


def test_a_branching_run_as_the_map_laid_over_its_canvas():
    nodes, edges = canvas.to_canvas(_branchy())
    rows = {
        "check": _row("succeeded", duration_ms=3),
        "yes": _row("succeeded", duration_ms=5),
        "no": _row("skipped", skip_reason='branch "false" not taken'),
        "each": _row("running", items={"total": 100, "counts": {"succeeded": 37}}),
    }
    run = run_map([n["id"] for n in nodes], edges, rows, {}, **ME)
    assert {k: e["status"] for k, e in run["steps"].items()} == {
        "check": "succeeded",
        "yes": "succeeded",
        "no": "skipped",
        "each": "running",
    }  # "join" is pending: no entry
    assert run["steps"]["each"] == {"status": "running", "progress": "37/100"}
    assert run["steps"]["no"]["note"] == 'branch "false" not taken'
    assert run["edges"] == {
        "check:true->yes": "done",
        "check:false->no": "skipped",
        "yes->each": "active",
        "no->join": "skipped",
    }  # "each->join" is pending: left out
    assert set(run["edges"]) <= {e["id"] for e in edges}


def test_the_map_of_a_finished_200_step_run_is_small():
    steps = [{"id": f"step-{i}", "type": "transform", "config": {}} for i in range(200)]
    nodes, edges = canvas.to_canvas(steps)
    rows = {s["id"]: _row("succeeded", duration_ms=61) for s in steps}
    run = run_map([n["id"] for n in nodes], edges, rows, {}, **ME)
    assert len(run["steps"]) == 200 and len(run["edges"]) == 199
    # what each live update sends, against the nodes and edges sent once (~77 KB)
    assert len(json.dumps(run)) < 20_000
    assert len(json.dumps(run)) * 4 < len(json.dumps([nodes, edges]))
