"""Workflow bodies in the shape of other products' documents (the original 002's `steps` and
`triggers`, 003's node-by-node workflows): when such a body is refused, the problems also say
what Flowdeck calls the part, so that a person translating an example knows where it goes."""

from __future__ import annotations

from typing import Any

from app.core.errors import Problem

_HINTS = {
    "steps": "Flowdeck calls steps `actions`: [{id, type, config}] with type transform, "
    "api_call, notify, delay, publish, share, … (002's SEND_EMAIL is a `notify` through an "
    "email alert, CALL_API an `api_call` with an absolute URL)",
    "triggers": "a Flowdeck workflow has one `trigger`: {type: manual|schedule|webhook|event|"
    "publish, config} (002's WEBHOOK is {type: webhook})",
    "nodes": "Flowdeck's steps are `actions` (the designer draws them as nodes)",
}


def foreign_problems(data: dict[str, Any]) -> list[Problem]:
    """A problem naming each other-product key of `data` with what Flowdeck calls it."""
    return [
        Problem(key, f"not a Flowdeck field: {hint}") for key, hint in _HINTS.items() if key in data
    ]
