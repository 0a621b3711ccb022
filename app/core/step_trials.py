"""Whether one step may be tried on its own ("Test step"), and whether it must ask first.

A trial runs the step's action for real, outside any run: a step that only computes or reads
(`transform`, `if`, `switch`, `merge`, `delay`, a GET) runs at once; one that writes or sends
(an API call that is not GET/HEAD, notify, share, publish, send_email, git_commit, a database
write, a script, any type this module does not know) runs only once the person confirmed. Steps
that live on a run (waits, approvals, sub-workflows, `for_each`, orchestrations record rows of
the run they are part of) cannot be tried alone. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Types that neither write nor send anything.
READ_ONLY_TYPES = frozenset({"transform", "if", "switch", "merge", "delay"})
#: Types whose action needs the run it is part of.
RUN_ONLY_TYPES: dict[str, str] = {
    "wait": "it waits on its run",
    "approval": "it asks for a decision on its run",
    "sub_workflow": "it starts a run of another workflow",
    "for_each": "it records each item on its run",
    "orchestration": "it records an orchestration run for its run",
}
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SAYS: dict[str, str] = {
    "notify": "sends a notification",
    "share": "posts to social platforms",
    "publish": "publishes an article",
    "send_email": "sends an email",
    "git_commit": "commits to a git repository",
    "optimize": "may change an article",
    "monitor": "records metric samples",
    "script": "runs a script",
}


def cannot_try(action: Mapping[str, Any]) -> str | None:
    """Why the step cannot be tried on its own, or None."""
    kind = str(action.get("type", ""))
    why = RUN_ONLY_TYPES.get(kind)
    return f"a {kind} step cannot be tested on its own: {why}; run the workflow" if why else None


def side_effects(action: Mapping[str, Any]) -> str | None:
    """What trying the step would do to the world (to confirm first), or None if nothing."""
    kind = str(action.get("type", ""))
    config = action.get("config") or {}
    if kind in READ_ONLY_TYPES:
        return None
    if kind == "api_call":
        method = str(config.get("method") or "GET").upper()
        return None if method in _READ_METHODS else f"sends a {method} request"
    if kind == "optimize" and not config.get("apply"):
        return None
    if kind == "database":  # read-only unless `write` allows changes
        return "may write to a database" if config.get("write") else None
    return _SAYS.get(kind, f"runs a {kind or 'typeless'} step that may change things")
