"""The `on_interrupted` policy of a workflow: validated, stored, versioned, over REST."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.core.errors import ValidationFailed
from app.services import workflow_history, workflows
from app.services.actor import Actor
from app.ui.forms.workflow_form import (
    blank_action,
    blank_trigger,
    definition_to_form,
    form_to_definition,
)

BASE = "/api/workflow-orchestration"


def _body(**extra: Any) -> dict[str, Any]:
    actions = [{"id": "a", "type": "transform", "config": {"values": {"x": 1}}}]
    return {"name": "wf", "trigger": {"type": "manual"}, "actions": actions, **extra}


def test_default_is_leave_and_retry_is_kept(member: Actor) -> None:
    plain = workflows.create_workflow(member, _body()).workflow
    assert plain["on_interrupted"] == "leave"
    retrying = workflows.create_workflow(member, _body(on_interrupted="retry")).workflow
    assert retrying["on_interrupted"] == "retry"
    assert workflows.get_workflow(member, retrying["id"])["on_interrupted"] == "retry"
    # a partial update keeps it; camelCase works as for every other top-level key
    renamed = workflows.update_workflow(member, retrying["id"], {"name": "renamed"}).workflow
    assert renamed["on_interrupted"] == "retry"
    back = workflows.update_workflow(member, retrying["id"], {"onInterrupted": "leave"})
    assert back.workflow["on_interrupted"] == "leave"


@pytest.mark.parametrize("value", ["Retry", "always", 1, True, ["retry"]])
def test_anything_but_leave_or_retry_is_refused_at_its_path(member: Actor, value: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        workflows.create_workflow(member, _body(on_interrupted=value))
    assert [p.path for p in caught.value.problems] == ["on_interrupted"]
    assert "leave or retry" in caught.value.problems[0].message


def test_reported_together_with_the_other_problems(member: Actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        workflows.create_workflow(member, _body(name="", on_interrupted="later"))
    assert {"name", "on_interrupted"} <= {p.path for p in caught.value.problems}


def test_versions_record_it_and_a_rollback_restores_it(member: Actor) -> None:
    created = workflows.create_workflow(member, _body(on_interrupted="retry")).workflow
    workflows.update_workflow(member, created["id"], {"on_interrupted": "leave"})
    v1 = workflow_history.get_version(member, created["id"], 1)
    v2 = workflow_history.get_version(member, created["id"], 2)
    assert v1["definition"]["on_interrupted"] == "retry"
    assert v2["definition"]["on_interrupted"] == "leave"
    assert "changed `on_interrupted`" in v2["change_summary"]
    rolled = workflow_history.rollback(member, created["id"], 1, "retry again after crashes")
    assert rolled["workflow"]["on_interrupted"] == "retry"


async def test_rest_accepts_camel_and_snake_case(api: httpx.AsyncClient) -> None:
    camel = await api.post(f"{BASE}/workflows", json=_body(onInterrupted="retry"))
    assert camel.status_code == 201, camel.text
    assert camel.json()["on_interrupted"] == "retry"
    snake = await api.post(f"{BASE}/workflows", json=_body(on_interrupted="retry"))
    assert snake.json()["on_interrupted"] == "retry"
    put = await api.put(f"{BASE}/workflows/{snake.json()['id']}", json={"onInterrupted": "leave"})
    assert put.status_code == 200 and put.json()["on_interrupted"] == "leave"
    bad = await api.post(f"{BASE}/workflows", json=_body(onInterrupted="sometimes"))
    assert bad.status_code == 422
    assert [d["path"] for d in bad.json()["error"]["details"]] == ["on_interrupted"]
    schema = (await api.get("/api/openapi.json")).json()
    body = schema["components"]["schemas"]["WorkflowCreate"]["properties"]
    assert "onInterrupted" in body


def test_the_workflow_form_round_trips_the_policy(member: Actor) -> None:
    fields = {"name": "from the form", "on_interrupted": "retry"}
    trigger, actions = blank_trigger(), [blank_action(0)]
    definition, problems = form_to_definition(fields, trigger, actions)
    assert problems == [] and definition["on_interrupted"] == "retry"
    saved = workflows.create_workflow(member, definition).workflow
    assert saved["on_interrupted"] == "retry"
    assert definition_to_form(saved)[0]["on_interrupted"] == "retry"
    # a form that never showed the field (an older page) saves the default
    unset, _ = form_to_definition({"name": "plain"}, trigger, actions)
    assert workflows.create_workflow(member, unset).workflow["on_interrupted"] == "leave"
