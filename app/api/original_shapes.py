"""Workflow bodies in the shape of other products' documents.

The original 002's `steps` / `triggers` / `workspace_id` body is translated into Flowdeck's
(`app.core.original_002`) and created, its save warnings joined by the translation's. A body
mixing both shapes (`steps` and `actions`) is refused, and the problems also say what Flowdeck
calls the other product's part, so that a person translating an example knows where it goes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.core.errors import Problem
from app.core.original_002 import is_002_shape, translate
from app.services import connections, workflows
from app.services.actor import Actor
from app.services.workflows import Saved

_HINTS = {
    "steps": "Flowdeck calls steps `actions`: [{id, type, config}] with type transform, "
    "api_call, send_email, notify, delay, publish, share, … (002's SEND_EMAIL is a "
    "`send_email`, CALL_API an `api_call`); send 002's `steps` without `actions` to have "
    "them translated",
    "triggers": "a Flowdeck workflow has one `trigger`: {type: manual|schedule|webhook|event|"
    "publish, config} (002's WEBHOOK is {type: webhook})",
    "nodes": "Flowdeck's steps are `actions` (the designer draws them as nodes)",
}


def foreign_problems(data: dict[str, Any]) -> list[Problem]:
    """A problem naming each other-product key of `data` with what Flowdeck calls it (none
    for a body in 002's shape: its problems already name 002's paths)."""
    if is_002_shape(data):
        return []
    return [
        Problem(key, f"not a Flowdeck field: {hint}") for key, hint in _HINTS.items() if key in data
    ]


def create_workflow(actor: Actor, data: dict[str, Any]) -> Saved:
    """Create the workflow `data` describes, in Flowdeck's shape or in 002's (blocking)."""
    if not is_002_shape(data):
        return workflows.create_workflow(actor, data)
    names = [c["name"] for c in connections.list_connections(actor, platform="http")]
    translated = translate(data, names)
    saved = workflows.create_workflow(actor, translated.data)
    return replace(saved, warnings=[*translated.warnings, *saved.warnings])
