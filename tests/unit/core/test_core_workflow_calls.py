"""Sub-workflow calls read from a definition, and the shortest loop through a workflow."""

from __future__ import annotations

import pytest

from app.core.workflow_calls import called_workflows, loop_through


def _call(target, step_id: str = "child") -> dict:
    return {"id": step_id, "type": "sub_workflow", "config": {"workflow_id": target}}


@pytest.mark.parametrize(
    ("actions", "calls"),
    [
        ([], []),
        ([{"id": "a", "type": "transform", "config": {"values": {"workflow_id": 3}}}], []),
        ([_call(3)], [("actions[0].config.workflow_id", 3)]),
        ([_call("7")], [("actions[0].config.workflow_id", 7)]),
        ([_call("{{ trigger.wf }}")], []),  # known at run time only
        ([_call(True)], []),
        (
            [{"id": "c", "type": "sub_workflow", "config": {"workflowId": 4}}],
            [("actions[0].config.workflow_id", 4)],
        ),
        (
            [{"id": "x", "type": "transform"}, _call(2, "b"), _call(5, "c")],
            [("actions[1].config.workflow_id", 2), ("actions[2].config.workflow_id", 5)],
        ),
        (
            [{"id": "each", "type": "for_each", "config": {"items": "[]", "step": _call(9)}}],
            [("actions[0].config.step.config.workflow_id", 9)],
        ),
        (["not a step", {"id": "c", "type": "sub_workflow", "config": "nope"}], []),
    ],
)
def test_called_workflows(actions: list, calls: list) -> None:
    assert called_workflows(actions) == calls


@pytest.mark.parametrize(
    ("start", "calls", "loop"),
    [
        (1, {}, None),
        (1, {1: [2], 2: [3]}, None),
        (1, {1: [1]}, [1, 1]),
        (1, {1: [2], 2: [1]}, [1, 2, 1]),
        (1, {1: [2, 3], 2: [4], 3: [1], 4: [1]}, [1, 3, 1]),  # the shortest one
        (1, {1: [2], 2: [3], 3: [2]}, None),  # a loop elsewhere does not pass through 1
        (1, {1: [2], 2: [3], 3: [4], 4: [1]}, [1, 2, 3, 4, 1]),
        ("a", {"a": ["b"], "b": ["a"]}, ["a", "b", "a"]),
    ],
)
def test_loop_through(start, calls: dict, loop) -> None:
    assert loop_through(start, calls) == loop
