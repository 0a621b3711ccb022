"""The template-help services on a real SQLite file: the picker's paths for the form's unsaved
steps and for a workflow not saved yet, a trial of the step as the form holds it, the pinned
payload's bounds and who may do what."""

from __future__ import annotations

import pytest

from app.core.errors import PermissionDenied, ValidationFailed
from app.core.statuses import Role
from app.engine.runner import Engine
from app.services import executions, step_samples, step_tests, workflows
from app.services.actor import Actor

STEPS = [
    {"id": "a", "type": "transform", "config": {"values": {"n": "{{ trigger.n }}"}}},
    {"id": "b", "type": "transform", "config": {"values": {"m": "{{ steps.a.output.n }}"}}},
]


def _create(member: Actor) -> int:
    data = {"name": "wf", "trigger": {"type": "manual"}, "actions": STEPS}
    return workflows.create_workflow(member, data).workflow["id"]


async def test_paths_follow_the_forms_graph(engine: Engine, member: Actor) -> None:
    wf = _create(member)
    await executions.execute_workflow(member, wf, payload={"n": 4})
    await engine.drain()
    saved = step_samples.variable_paths(member, wf, "b")
    assert saved["source"] == "last_run"
    assert "steps.a.output.n" in [p["path"] for p in saved["paths"]]
    # In the form, b now starts at the beginning: a is no longer before it.
    edited = [STEPS[0], {**STEPS[1], "depends_on": []}]
    paths = step_samples.variable_paths(member, wf, "b", actions=edited)["paths"]
    assert not any(p["path"].startswith("steps.") for p in paths)
    fresh = step_samples.variable_paths(member, None, "b", actions=STEPS)
    assert fresh["source"] == "none" and [p["path"] for p in fresh["paths"]][:2] == [
        "trigger", "steps.a.output"]  # fmt: skip


async def test_a_trial_uses_the_forms_step(engine: Engine, member: Actor) -> None:
    wf = _create(member)
    await executions.execute_workflow(member, wf, payload={"n": 4})
    await engine.drain()
    edited = [STEPS[0], {**STEPS[1], "config": {"values": {"m": "{{ steps.a.output.n * 10 }}"}}}]
    result = await step_tests.try_step(member, wf, "b", actions=edited)
    assert result["status"] == "succeeded" and result["output"] == {"m": 40}
    assert result["source"] == "last_run"
    saved = await step_tests.try_step(member, wf, "b")
    assert saved["output"] == {"m": 4}


def test_bounds_and_roles(member: Actor) -> None:
    wf = _create(member)
    with pytest.raises(ValidationFailed, match="sample_payload"):
        step_samples.set_sample_payload(member, wf, {"x": "y" * (step_samples.MAX_SAMPLE_BYTES)})
    step_samples.set_sample_payload(member, wf, {"ok": True})
    viewer = Actor(kind="user", user_id=member.user_id, email="v@x", role=Role.VIEWER)
    for call in (
        lambda: step_samples.set_sample_payload(viewer, wf, {}),
        lambda: step_samples.clear_sample_payload(viewer, wf),
        lambda: step_samples.variable_paths(viewer, wf, "a"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert step_samples.get_sample_payload(member, wf) == {"ok": True}
