"""A workflow that would reach itself through sub_workflow steps is refused when saved."""

from __future__ import annotations

import pytest

from app.core.errors import ValidationFailed
from app.services import workflows
from app.services.actor import Actor


def _create(member: Actor, name: str, calls: list[int] | None = None) -> int:
    actions = [
        {"id": f"call{i}", "type": "sub_workflow", "config": {"workflow_id": target}}
        for i, target in enumerate(calls or [])
    ] or [{"id": "noop", "type": "transform", "config": {"values": {"ok": True}}}]
    data = {"name": name, "trigger": {"type": "manual"}, "actions": actions}
    return workflows.create_workflow(member, data).workflow["id"]


def _calls(*targets: int | str) -> list[dict]:
    return [
        {"id": "first", "type": "transform", "config": {"values": {}}},
        *(
            {"id": f"call{i}", "type": "sub_workflow", "config": {"workflow_id": t}}
            for i, t in enumerate(targets)
        ),
    ]


def _refusal(member: Actor, workflow_id: int, actions: list[dict]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        workflows.update_workflow(member, workflow_id, {"actions": actions})
    return {p.path: p.message for p in caught.value.problems}


def test_a_two_workflow_loop_is_spelled_with_names(member: Actor) -> None:
    report = _create(member, "Report")
    nightly = _create(member, "Nightly", [report])
    problems = _refusal(member, report, _calls(nightly))
    assert problems == {
        "actions[1].config.workflow_id": "calls itself through sub-workflows: "
        "Report → Nightly → Report"
    }
    # Nothing was saved: Report still has its one step, at version 1.
    saved = workflows.get_workflow(member, report)
    assert [a["id"] for a in saved["actions"]] == ["noop"] and saved["version"] == 1


def test_calling_itself_and_a_longer_loop_are_refused(member: Actor) -> None:
    a = _create(member, "A")
    assert _refusal(member, a, _calls(a)) == {
        "actions[1].config.workflow_id": "calls itself through sub-workflows: A → A"
    }
    c = _create(member, "C", [a])
    b = _create(member, "B", [c])
    problems = _refusal(member, a, _calls(str(b)))  # an id given as text counts too
    assert problems["actions[1].config.workflow_id"].endswith("A → B → C → A")


def test_calls_without_a_loop_and_templated_ids_are_saved(member: Actor) -> None:
    leaf = _create(member, "Leaf")
    mid = _create(member, "Mid", [leaf])
    top = _create(member, "Top")
    saved = workflows.update_workflow(member, top, {"actions": _calls(mid, leaf)})
    assert saved.workflow["version"] == 2
    # Known at run time only: the depth limit guards it there.
    workflows.update_workflow(member, leaf, {"actions": _calls("{{ trigger.next }}")})
    # Pausing a workflow whose calls make no loop is not blocked by the check.
    assert workflows.set_active(member, mid, False)["is_active"] is False
