"""Starting deployments and CI runs on GitHub Actions, GitLab or a deploy hook, and waiting
for a CI run's result (the `deploy`, `rollback` and `ci_run` steps).

GitHub: `workflow_dispatch` on the connection's repository (bearer token). GitLab: a pipeline
trigger (trigger token), read back with the access token. A deploy hook: an `http`
connection, POSTed `{"action", "ref", "environment", "inputs", "workflow_id",
"execution_id"}` with the connection's auth. Every request goes through the guarded client.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime
from typing import Any

import httpx

from app.core.deploys import (
    github_dispatch,
    github_outcome,
    github_runs_path,
    gitlab_outcome,
    gitlab_trigger,
    pick_github_run,
)
from app.core.ops_configs import CiRunConfig
from app.db.types import utcnow
from app.engine.actions import StepContext
from app.engine.actions.ops_connections import connection_for
from app.engine.failures import ActionFailed
from app.integrations.credentials import ResolvedConnection, record_use
from app.integrations.delivery import Delivery
from app.integrations.http import outbound_client
from app.integrations.ops import gitlab
from app.integrations.ops._http import delivered, json_of

PLATFORMS = ("github", "gitlab", "http")
REQUEST_TIMEOUT_S = 30.0
MAX_BODY = 2000


def _failed(conn: ResolvedConnection, sent: Delivery, output: dict | None = None) -> ActionFailed:
    return ActionFailed(f"{conn.name}: {sent.error}", kind=sent.kind or "error", output=output)


def _need(value: Any, what: str) -> str:
    if not value:
        raise ActionFailed(what, kind="validation")
    return str(value)


async def _github(
    client: httpx.AsyncClient, conn: ResolvedConnection, ref: str, config: Any
) -> dict[str, Any]:
    repo = _need(conn.config.get("repo"), f"connection {conn.name!r} names no repository")
    workflow = _need(config.workflow, "workflow: name the GitHub workflow (file or id)")
    path, body = github_dispatch(repo, workflow, ref, config.inputs)
    response = await client.post(conn.url_for(path), json=body, headers=conn.auth_headers())
    detail = "" if response.is_success else str((json_of(response) or {}).get("message") or "")
    sent = delivered(response, "GitHub", detail)
    if not sent.ok:
        raise _failed(conn, sent)
    return {"repo": repo, "workflow": workflow}


async def _gitlab(
    client: httpx.AsyncClient, conn: ResolvedConnection, ref: str, config: Any
) -> dict[str, Any]:
    variables = dict(config.inputs)
    if config.environment:
        variables.setdefault("ENVIRONMENT", config.environment)
    form = gitlab_trigger(conn.credentials["trigger_token"], ref, variables)
    sent, pipeline = await gitlab.trigger(client, conn, form)
    if not sent.ok:
        raise _failed(conn, sent)
    return {"project": conn.config["project"], "pipeline_id": pipeline.get("id"),
            "status": pipeline.get("status"), "url": pipeline.get("web_url")}  # fmt: skip


async def _hook(
    client: httpx.AsyncClient, conn: ResolvedConnection, ref: str, config: Any, *, action: str,
    step: StepContext,
) -> dict[str, Any]:  # fmt: skip
    body = {"action": action, "ref": ref, "environment": config.environment,
            "inputs": config.inputs, "workflow_id": step.workflow_id,
            "execution_id": step.execution_id}  # fmt: skip
    response = await client.post(
        conn.url_for(config.path), json=body, headers=conn.auth_headers() or None
    )
    sent = delivered(response, conn.name)
    answer: Any = response.text[:MAX_BODY]
    with contextlib.suppress(ValueError):
        answer = response.json()
    if not sent.ok:
        raise _failed(conn, sent, {"status": response.status_code, "body": answer})
    return {"status": response.status_code, "body": answer}


async def dispatch(step: StepContext, config: Any, *, ref: str, action: str) -> dict[str, Any]:
    """Start `action` (deploy, rollback, test) of `ref`; what the platform answered."""
    conn = await connection_for(step, config.connection, PLATFORMS, "a GitHub, GitLab or HTTP")
    started = utcnow()
    try:
        async with outbound_client(timeout=REQUEST_TIMEOUT_S) as client:
            if conn.platform == "github":
                found = await _github(client, conn, ref, config)
            elif conn.platform == "gitlab":
                found = await _gitlab(client, conn, ref, config)
            else:
                found = await _hook(client, conn, ref, config, action=action, step=step)
    except httpx.HTTPError as exc:
        kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection"
        raise ActionFailed(f"{conn.name} could not be reached: {exc.__class__.__name__}",
                           kind=kind) from None  # fmt: skip
    finally:
        await asyncio.to_thread(record_use, conn.id)
    return {"action": action, "connection": conn.name, "platform": conn.platform, "ref": ref,
            "environment": config.environment, "dispatched_at": started.isoformat(),
            **found}  # fmt: skip


async def _github_runs(
    client: httpx.AsyncClient, conn: ResolvedConnection, repo: str, workflow: str, ref: str
) -> list[dict[str, Any]]:
    params = {"event": "workflow_dispatch", "branch": ref, "per_page": "30"}
    path = github_runs_path(repo, workflow)
    response = await client.get(conn.url_for(path), params=params, headers=conn.auth_headers())
    sent = delivered(response, "GitHub")
    if not sent.ok:
        raise _failed(conn, sent)
    runs = (json_of(response) or {}).get("workflow_runs") or []
    return [r for r in runs if isinstance(r, dict)]


async def _github_result(
    client: httpx.AsyncClient, conn: ResolvedConnection, started: dict[str, Any], ref: str,
    known: frozenset[int],
) -> dict[str, Any] | None:  # fmt: skip
    runs = await _github_runs(client, conn, started["repo"], started["workflow"], ref)
    since = datetime.fromisoformat(started["dispatched_at"])
    run = pick_github_run(runs, ref=ref, since=since, known=known)
    if run is None or github_outcome(run) == "running":
        return None
    return {"outcome": github_outcome(run), "run_id": run.get("id"),
            "conclusion": run.get("conclusion"), "url": run.get("html_url")}  # fmt: skip


async def _gitlab_result(
    client: httpx.AsyncClient, conn: ResolvedConnection, started: dict[str, Any]
) -> dict[str, Any] | None:
    sent, pipeline = await gitlab.pipeline(client, conn, int(started["pipeline_id"]))
    if not sent.ok:
        raise _failed(conn, sent)
    outcome = gitlab_outcome(pipeline)
    if outcome == "running":
        return None
    return {"outcome": outcome, "run_id": pipeline.get("id"),
            "conclusion": pipeline.get("status"), "url": pipeline.get("web_url")}  # fmt: skip


async def run_ci(step: StepContext, config: CiRunConfig) -> dict[str, Any]:
    """Start CI on `config.ref` and poll until it ends or `timeout_s` passes."""
    conn = await connection_for(step, config.connection, PLATFORMS, "a GitHub, GitLab or HTTP")
    if conn.platform == "http":
        raise ActionFailed("ci_run waits for GitHub Actions or GitLab; a deploy hook has no "
                           "result to read", kind="validation")  # fmt: skip
    if conn.platform == "gitlab" and not conn.credentials.get("access_token"):
        raise ActionFailed(f"connection {conn.name!r} has no access token to read the "
                           "pipeline's result", kind="validation")  # fmt: skip
    known: frozenset[int] = frozenset()
    if conn.platform == "github":  # the runs there already: the new one is told apart by id
        repo = _need(conn.config.get("repo"), f"connection {conn.name!r} names no repository")
        workflow = _need(config.workflow, "workflow: name the GitHub workflow (file or id)")
        try:
            async with outbound_client(timeout=REQUEST_TIMEOUT_S) as client:
                before = await _github_runs(client, conn, repo, workflow, config.ref)
        except httpx.HTTPError as exc:
            raise ActionFailed(f"{conn.name} could not be reached: {exc.__class__.__name__}",
                               kind="connection") from None  # fmt: skip
        known = frozenset(r["id"] for r in before if isinstance(r.get("id"), int))
    started = await dispatch(step, config, ref=config.ref, action="test")
    deadline = time.monotonic() + config.timeout_s
    polls = 0
    async with outbound_client(timeout=REQUEST_TIMEOUT_S) as client:
        while True:
            polls += 1
            try:
                if conn.platform == "github":
                    result = await _github_result(client, conn, started, config.ref, known)
                else:
                    result = await _gitlab_result(client, conn, started)
            except httpx.HTTPError:
                result = None  # a poll that did not get through: the next one may
            if result is not None:
                break
            if time.monotonic() + config.poll_s > deadline:
                raise ActionFailed(
                    f"CI on {config.ref} had no result within {config.timeout_s:g} s",
                    kind="timeout",
                    output={**started, "polls": polls},
                )
            await asyncio.sleep(config.poll_s)
    output = {**started, **result, "polls": polls}
    if result["outcome"] != "passed":
        raise ActionFailed(
            f"CI on {config.ref} {result['conclusion']}: {result['url']}", output=output
        )
    return output
