"""Nodes and edges of a workflow, the way 003's `/automation` API builds one step at a time.

A node is a step, an edge a `depends_on` entry. Each change rewrites the workflow's definition
through `app.services.workflows.update_workflow`, so it is validated, versioned and audited as
any other save. A new workflow is an inactive draft with no steps (`create_draft`).

003's `config.action_type` names map onto Flowdeck's step types (`ACTION_TYPES`); a Flowdeck
type name (`delay`, `api_call`, …) is accepted as it is. `send_slack` becomes a `share` step on
the Slack platform: it posts through the Slack connection(s) at run time. A Slack incoming
webhook posts to the channel it was made for, so `channel` is not sent; it is named in `notes`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.core.canvas import connect, place_step, remove_steps
from app.core.errors import Conflict, NotFound, Problem, ValidationFailed
from app.db.engine import session_scope
from app.engine.actions import action_types
from app.services import workflows
from app.services.actor import Actor
from app.services.workflow_defs import definition_from_row

#: 003's action names → (Flowdeck step type, keys added to the config).
ACTION_TYPES: dict[str, tuple[str, dict[str, Any]]] = {
    "send_slack": ("share", {"platforms": ["slack"]}),
    "http_request": ("api_call", {}),
    "webhook": ("api_call", {}),
    "wait": ("delay", {}),
}
#: 003's `node_type` → the step type when no `action_type` is given.
NODE_TYPES = {"condition": "if"}
_DROPPED = {"share": ("channel",)}


@dataclass(frozen=True)
class Change:
    node_id: str
    workflow: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def create_draft(actor: Actor, name: str, description: str, category: str | None) -> Change:
    """An inactive, manual workflow with no steps; `category` goes into the description."""
    text = description if not category else f"{description}\n\nCategory: {category}".strip()
    data = {
        "name": name,
        "description": text,
        "trigger": {"type": "manual"},
        "actions": [],
        "is_active": False,
        "change_description": "created (draft, no steps yet)",
    }
    return Change("", workflows.create_workflow(actor, data).workflow)


def _steps(actor: Actor, workflow_id: int) -> list[dict[str, Any]]:
    actor.require_member()
    with session_scope() as session:
        return list(definition_from_row(workflows.get_row(session, workflow_id))["actions"])


def _save(actor: Actor, workflow_id: int, steps: list[dict], what: str) -> dict[str, Any]:
    data = {"actions": steps, "change_description": what}
    return workflows.update_workflow(actor, workflow_id, data).workflow


def _unique_id(label: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:56] or "step"
    base = base if base[0].isalpha() else f"s-{base}"[:56]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def step_of(node_type: str, config: dict[str, Any]) -> tuple[str, dict[str, Any], list[str]]:
    """The step type and config of a node, and what was not kept (as notes)."""
    rest = {k: v for k, v in config.items() if k != "action_type"}
    given = config.get("action_type")
    if node_type == "trigger":
        message = "a workflow has one trigger: set it with PUT /api/workflow-orchestration/"
        raise ValidationFailed([Problem("node_type", message + "workflows/{id}")])
    if given is None and node_type in NODE_TYPES:
        return NODE_TYPES[node_type], rest, []
    known = sorted({*ACTION_TYPES, *action_types()})
    if not isinstance(given, str) or given not in known:
        shown = "missing" if given is None else f"{str(given)[:40]!r} is unknown"
        message = f"{shown}; one of {', '.join(known)}"
        raise ValidationFailed([Problem("config.action_type", message)])
    step_type, added = ACTION_TYPES.get(given, (given, {}))
    dropped = [k for k in _DROPPED.get(step_type, ()) if k in rest]
    notes = [
        f"config.{k} not sent: the Slack connection posts to the channel its webhook was made for"
        for k in dropped
    ]
    kept = {k: v for k, v in rest.items() if k not in dropped}
    return step_type, {**kept, **added}, notes


def add_node(
    actor: Actor, workflow_id: int, node_type: str, label: str, x: float, y: float, config: dict
) -> Change:
    step_type, step_config, notes = step_of(node_type, config)
    steps = _steps(actor, workflow_id)
    node_id = _unique_id(label, {str(s.get("id")) for s in steps})
    step = {"id": node_id, "name": label, "type": step_type, "config": step_config}
    after = place_step(steps, step, x, y)
    return Change(node_id, _save(actor, workflow_id, after, f"added node {node_id}"), notes)


def delete_node(actor: Actor, workflow_id: int, node_id: str) -> Change:
    steps = _steps(actor, workflow_id)
    if node_id not in {str(s.get("id")) for s in steps}:
        raise NotFound(f"workflow {workflow_id} has no node {node_id!r}")
    after = remove_steps(steps, [node_id])
    if not after and workflows.get_workflow(actor, workflow_id)["is_active"]:
        raise Conflict(f"{node_id!r} is the last step of an active workflow: pause it first")
    return Change(node_id, _save(actor, workflow_id, after, f"removed node {node_id}"))


def add_edge(
    actor: Actor, workflow_id: int, source: str, target: str, handle: str | None
) -> Change:
    steps = _steps(actor, workflow_id)
    after = connect(steps, source, handle, target)
    if after == [dict(s) for s in steps]:
        raise Conflict(f"{target!r} already follows {source!r}")
    edge = f"{source}->{target}" if not handle else f"{source}:{handle}->{target}"
    return Change(edge, _save(actor, workflow_id, after, f"connected {edge}"))


def require_steps(actor: Actor, workflow_id: int) -> None:
    """A run needs a step: a draft without any is refused with what to do."""
    if not _steps(actor, workflow_id):
        raise Conflict(f"workflow {workflow_id} has no steps: add a step first")
