"""The deployment trigger's decision over GitHub's documented payload shapes and generic hooks."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.deployments import deployment_payload

REPO = {"full_name": "acme/shop"}
SENDER = {"login": "octocat"}
DEPLOYMENT = {
    "action": "created",
    "repository": REPO,
    "sender": SENDER,
    "deployment": {"id": 1, "ref": "main", "environment": "production"},
}
STATUS = {
    "action": "created",
    "repository": REPO,
    "sender": SENDER,
    "deployment_status": {"state": "success"},
    "deployment": {"id": 1, "ref": "refs/heads/main", "environment": "staging"},
}
RELEASE = {
    "action": "published",
    "repository": REPO,
    "sender": SENDER,
    "release": {"tag_name": "v1.2.0", "target_commitish": "release/1.2"},
}
RUN = {
    "action": "completed",
    "repository": REPO,
    "sender": SENDER,
    "workflow_run": {"head_branch": "main", "status": "completed", "conclusion": "failure"},
}
GITHUB = {"source": "github"}

CASES: list[tuple[dict, str | None, Any, tuple | str]] = [
    (GITHUB, "deployment", DEPLOYMENT,
     ("deployment", "created", "main", "production", None)),
    (GITHUB, "deployment_status", STATUS,
     ("deployment_status", "created", "main", "staging", "success")),
    (GITHUB, "release", RELEASE, ("release", "published", "release/1.2", None, "v1.2.0")),
    (GITHUB, "workflow_run", RUN, ("workflow_run", "completed", "main", None, "failure")),
    (GITHUB, "ping", {"zen": "hi"}, "ping: the hook is set up"),
    (GITHUB, "push", {"ref": "main"}, "event 'push' is not one this workflow follows"),
    ({"source": "github", "events": ["release"]}, "deployment", DEPLOYMENT,
     "event 'deployment' is not one this workflow follows"),
    ({"source": "github", "branches": ["release/*"]}, "release", RELEASE,
     ("release", "published", "release/1.2", None, "v1.2.0")),
    ({"source": "github", "branches": ["release/*", "prod"]}, "deployment", DEPLOYMENT,
     "branch 'main' matches none of release/*, prod"),
    (GITHUB, "deployment", [1, 2], "the body is not a JSON object"),
    ({"source": "generic"}, None, {"ref": "refs/heads/main", "environment": "prod",
                                   "status": "started"},
     ("deploy", None, "main", "prod", "started")),
    ({"source": "generic", "branches": ["main"]}, None, {"branch": "dev"},
     "branch 'dev' matches none of main"),
    ({"source": "generic", "branches": ["main"]}, None, {}, "branch None matches none of main"),
]  # fmt: skip


@pytest.mark.parametrize(("config", "event", "body", "expected"), CASES)
def test_deployment_payload(config: dict, event: str | None, body: Any, expected: Any) -> None:
    payload, why = deployment_payload(config, event, body)
    if isinstance(expected, str):
        assert (payload, why) == (None, expected)
        return
    assert why == ""
    assert payload is not None
    shown = (payload["event"], payload["action"], payload["branch"], payload["environment"],
             payload["state"])  # fmt: skip
    assert shown == expected
    assert payload["body"] == body
    if config["source"] == "github":
        assert payload["repository"] == "acme/shop" and payload["sender"] == "octocat"
