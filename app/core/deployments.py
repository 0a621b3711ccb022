"""The `deployment` trigger's decision: which deploy notifications start a run, with what. Pure.

Two sources, both signed (checked before this is asked, by `app.services.deploy_hooks`):
- `github`: GitHub's `deployment`, `deployment_status`, `release` and `workflow_run` webhooks
  (`X-GitHub-Event`); `ping` (sent when the hook is set up) and events not ticked in `events`
  start nothing. The branch is the deployment's `ref`, the release's `target_commitish` or the
  workflow run's `head_branch`.
- `generic`: any deploy tool POSTing JSON signed the Flowdeck way; the branch is its `branch`
  or `ref`. Its `event` is `deploy`.

`branches` (shell-style patterns, `release/*`) keeps only notifications whose branch matches
one; empty keeps all. `refs/heads/` is taken off a ref first. The run's payload:
`{"source", "event", "action", "branch", "environment", "state", "repository", "sender",
"body"}` (what a source does not say is null; `body` is the whole notification).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

GITHUB_EVENTS = ("deployment", "deployment_status", "release", "workflow_run")


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _branch(value: Any) -> str | None:
    text = _text(value)
    return text.removeprefix("refs/heads/") if text else None


def _github(event: str, body: Mapping[str, Any]) -> dict[str, Any]:
    deployment = body.get("deployment")
    if event in ("deployment", "deployment_status"):
        branch = _get(deployment, "ref")
        environment = _get(deployment, "environment")
        state = _get(body, "deployment_status", "state") if event == "deployment_status" else None
    elif event == "release":
        branch, environment = _get(body, "release", "target_commitish"), None
        state = _get(body, "release", "tag_name")
    else:
        branch, environment = _get(body, "workflow_run", "head_branch"), None
        state = _get(body, "workflow_run", "conclusion") or _get(body, "workflow_run", "status")
    return {
        "source": "github",
        "event": event,
        "action": _text(body.get("action")),
        "branch": _branch(branch),
        "environment": _text(environment),
        "state": _text(state),
        "repository": _text(_get(body, "repository", "full_name")),
        "sender": _text(_get(body, "sender", "login")),
        "body": dict(body),
    }


def _generic(body: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "source": "generic",
        "event": "deploy",
        "action": _text(body.get("action")),
        "branch": _branch(body.get("branch") or body.get("ref")),
        "environment": _text(body.get("environment")),
        "state": _text(body.get("status") or body.get("state")),
        "repository": _text(body.get("repository")),
        "sender": _text(body.get("sender")),
        "body": dict(body),
    }


def deployment_payload(
    config: Mapping[str, Any], event: str | None, body: Any
) -> tuple[dict[str, Any] | None, str]:
    """The run's payload, or `(None, why it starts nothing)`."""
    if not isinstance(body, Mapping):
        return None, "the body is not a JSON object"
    if config.get("source", "github") == "github":
        if event == "ping":
            return None, "ping: the hook is set up"
        wanted: Sequence[str] = config.get("events") or GITHUB_EVENTS
        if event not in wanted:
            return None, f"event {event!r} is not one this workflow follows"
        payload = _github(event, body)
    else:
        payload = _generic(body)
    branches: Sequence[str] = config.get("branches") or ()
    if branches and not any(fnmatchcase(payload["branch"] or "", p) for p in branches):
        return None, f"branch {payload['branch']!r} matches none of {', '.join(branches)}"
    return payload, ""
