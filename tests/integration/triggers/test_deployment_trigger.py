"""The `deployment` trigger over the REST API: GitHub-signed `deployment`, `deployment_status`,
`release` and `workflow_run` webhooks (signature checked, event and branch filters, ping,
replays) and a generic Flowdeck-signed deploy hook."""

from __future__ import annotations

import hmac
import json
import time
from hashlib import sha256

import httpx

from app.core.signatures import flowdeck_signature
from app.engine.runner import Engine
from tests.integration.api.deployed import BASE, problems

SECRET = "deploy-hook-secret-1"
LINE = "{{ trigger.event }} of {{ trigger.repository }} on {{ trigger.branch }}"
STEPS = [{"id": "say", "type": "transform", "config": {"values": {"line": LINE}}}]


def _github_headers(body: bytes, event: str, delivery: str, secret: str = SECRET) -> dict:
    # computed here the way GitHub documents it, not with Flowdeck's helper
    digest = hmac.new(secret.encode(), body, sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": f"sha256={digest}",
    }


async def _hook(api: httpx.AsyncClient, **config) -> dict:
    data = {
        "name": "on deploy",
        "trigger": {"type": "deployment", "config": {"secret": SECRET, **config}},
        "actions": STEPS,
    }
    response = await api.post(f"{BASE}/workflows", json=data)
    assert response.status_code == 201, response.text
    return response.json()


def _path(created: dict) -> str:
    url = created["webhook_url"]
    assert "/api/hooks/deploy/" in url
    return url[url.index("/api/") :]


DEPLOYMENT = {
    "action": "created",
    "deployment": {"id": 7, "ref": "main", "environment": "production", "sha": "abc"},
    "repository": {"full_name": "acme/shop"},
    "sender": {"login": "octocat"},
}


async def test_a_signed_github_deployment_starts_a_run_once(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    created = await _hook(api, branches=["main"])
    assert created["has_webhook_secret"] and "secret" not in created["trigger"]["config"]
    assert created["trigger_summary"] == "GitHub deployment events on main"
    body = json.dumps(DEPLOYMENT).encode()
    headers = _github_headers(body, "deployment", "d-1")
    response = await api.post(_path(created), content=body, headers=headers)
    assert response.status_code == 202, response.text
    execution_id = response.json()["execution_id"]
    await engine.drain()
    run = (await api.get(f"{BASE}/executions/{execution_id}")).json()
    assert run["trigger_type"] == "deployment" and run["status"] == "succeeded"
    payload = run["trigger_payload"]
    assert (payload["event"], payload["environment"], payload["sender"]) == (
        "deployment", "production", "octocat"
    )  # fmt: skip
    assert run["steps"][0]["output"] == {"line": "deployment of acme/shop on main"}
    again = await api.post(_path(created), content=body, headers=headers)
    assert again.status_code == 200
    assert again.json() == {"execution_id": execution_id, "duplicate": True}


async def test_signatures_events_branches_and_ping(api: httpx.AsyncClient, engine: Engine) -> None:
    created = await _hook(api, events=["release", "workflow_run"], branches=["release/*"])
    path = _path(created)
    release = {"action": "published", "release": {"tag_name": "v2", "target_commitish":
               "release/2"}, "repository": {"full_name": "acme/shop"}}  # fmt: skip
    body = json.dumps(release).encode()
    forged = _github_headers(body, "release", "d-2", secret="not-the-secret")
    assert (await api.post(path, content=body, headers=forged)).status_code == 401
    unsigned = {"X-GitHub-Event": "release", "Content-Type": "application/json"}
    assert (await api.post(path, content=body, headers=unsigned)).status_code == 401
    ok = await api.post(path, content=body, headers=_github_headers(body, "release", "d-3"))
    assert ok.status_code == 202, ok.text
    not_followed = json.dumps(DEPLOYMENT).encode()
    skipped = await api.post(
        path, content=not_followed, headers=_github_headers(not_followed, "deployment", "d-4")
    )
    assert skipped.status_code == 200
    assert skipped.json()["ignored"] == "event 'deployment' is not one this workflow follows"
    run = {"action": "completed", "workflow_run": {"head_branch": "main", "conclusion":
           "success"}}  # fmt: skip
    run_body = json.dumps(run).encode()
    other = await api.post(
        path, content=run_body, headers=_github_headers(run_body, "workflow_run", "d-5")
    )
    assert other.json()["ignored"] == "branch 'main' matches none of release/*"
    ping = json.dumps({"zen": "Keep it simple."}).encode()
    pong = await api.post(path, content=ping, headers=_github_headers(ping, "ping", "d-6"))
    assert pong.status_code == 200 and pong.json()["ignored"] == "ping: the hook is set up"
    await engine.drain()
    runs = (await api.get(f"{BASE}/executions", params={"workflow_id": created["id"]})).json()
    assert len(runs["items"]) == 1  # only the release on release/2 started a run
    assert (await api.post("/api/hooks/deploy/nope", content=body)).status_code == 404


async def test_a_generic_deploy_hook_is_signed_the_flowdeck_way(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    created = await _hook(api, source="generic")
    body = json.dumps({"ref": "refs/heads/main", "environment": "prod", "status": "done",
                       "repository": "acme/api"}).encode()  # fmt: skip
    stamp = int(time.time())
    headers = {"X-Flowdeck-Signature": flowdeck_signature(SECRET, stamp, body)}
    response = await api.post(_path(created), content=body, headers=headers)
    assert response.status_code == 202, response.text
    await engine.drain()
    run = (await api.get(f"{BASE}/executions/{response.json()['execution_id']}")).json()
    assert run["trigger_payload"]["event"] == "deploy"
    assert run["steps"][0]["output"] == {"line": "deploy of acme/api on main"}
    stale = {"X-Flowdeck-Signature": flowdeck_signature(SECRET, stamp - 3600, body)}
    assert (await api.post(_path(created), content=body, headers=stale)).status_code == 401


async def test_a_generated_secret_is_shown_once_and_bad_config_is_named(
    api: httpx.AsyncClient,
) -> None:
    data = {"name": "d", "trigger": {"type": "deployment"}, "actions": STEPS}
    created = await api.post(f"{BASE}/workflows", json=data)
    assert created.status_code == 201 and created.json()["has_webhook_secret"]
    bad = {**data, "trigger": {"type": "deployment", "config": {
        "events": ["push"], "source": "gitlab", "secret": "short"}}}  # fmt: skip
    assert set(problems(await api.post(f"{BASE}/workflows", json=bad))) == {
        "trigger.config.events[0]",
        "trigger.config.source",
        "trigger.config.secret",
    }
