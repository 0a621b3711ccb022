"""The original document's (000) "Usage Examples" and "API Testing" curl lines, sent byte for byte
through the REST API (see `original_requests` for the text of each and what its placeholders
become), each checked for what it says it does: the row stored, the alert sent, the version
recorded, the run started and finished."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.alerts.delivery import AlertDispatcher
from app.api import create_api
from app.core.retry import RetryPolicy
from app.engine.bus import bus
from app.engine.runner import Engine
from tests.integration.alerts.counterparts import SLACK_HOOK, serve_counterparts
from tests.integration.api import original_requests as doc

BASE = "/api/workflow-orchestration"
JSON = {"content-type": "application/json"}
#: Succeeds with `{"d": 1}`, fails (division by zero in its template) with `{"d": 0}`.
DIVIDE = {"id": "divide", "type": "transform", "config": {"values": {"q": "{{ 1 / trigger.d }}"}}}
DIVIDER = {"name": "Divider", "trigger": {"type": "manual"}, "actions": [DIVIDE]}


async def send(
    api: httpx.AsyncClient, method: str, path: str, body: bytes | None
) -> httpx.Response:
    return await api.request(method, BASE + path, content=body, headers=JSON if body else None)


async def created(api: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post(BASE + path, json=body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def alerts_running(db: Path) -> AsyncIterator[AlertDispatcher]:
    """The alert dispatcher on the real bus, as start-up runs it."""
    policy = RetryPolicy(strategy="exponential", max_attempts=2, delay_s=0.1)
    dispatcher = AlertDispatcher(bus, policy=policy, max_concurrent=4)
    await dispatcher.start()
    yield dispatcher
    await dispatcher.stop()


async def test_example_2_slack_alert_gets_both_events_labelled_error(
    api: httpx.AsyncClient, engine: Engine, alerts_running: AlertDispatcher
) -> None:
    workflow = await created(api, "/workflows", DIVIDER)
    as_written = doc.fill(
        doc.EXAMPLE_2, workflow_id=workflow["id"], slack_hook=doc.SLACK_AS_WRITTEN
    )
    response = await send(api, "POST", "/alerts", as_written)
    assert response.status_code == 201, response.text
    alert = response.json()
    assert (alert["severity"], alert["min_severity"]) == ("error", None)
    assert alert["events"] == ["workflow_complete", "workflow_fail"]
    assert alert["workflow_id"] == workflow["id"] and alert["channel_is_secret"]
    assert alert["channel"].startswith("https://hooks.slack.com/")  # a hint, never the URL

    with serve_counterparts() as slack:
        hook = slack.base_url + SLACK_HOOK
        body = doc.fill(doc.EXAMPLE_2, workflow_id=workflow["id"], slack_hook=hook)
        response = await send(api, "POST", "/alerts", body)
        assert response.status_code == 201, response.text
        hooked = response.json()["id"]
        await api.delete(f"{BASE}/alerts/{alert['id']}")  # the one pointing at hooks.slack.com

        run = f"{BASE}/workflows/{workflow['id']}/execute?wait=true"
        ok = await api.post(run, json={"payload": {"d": 1}})
        failed = await api.post(run, json={"payload": {"d": 0}})
        assert (ok.json()["status"], failed.json()["status"]) == ("succeeded", "failed")
        await engine.drain()
        await alerts_running.drain()
        posts = [json.loads(r["body"]) for r in slack.slack]

    assert len(posts) == 2, posts
    texts = [json.dumps(p) for p in posts]
    assert any("finished successfully" in t for t in texts)  # workflow_complete reached Slack
    assert any("failed" in t and "divide" in t for t in texts)
    for post in posts:  # each labelled with the alert's severity: ":x: *ERROR*"
        context = post["blocks"][-1]["elements"][0]["text"]
        assert context.startswith(":x: *ERROR*"), context
    deliveries = (await api.get(f"{BASE}/alerts/{hooked}/deliveries")).json()["items"]
    assert sorted(d["event"] for d in deliveries) == ["workflow_complete", "workflow_fail"]
    assert all(d["status"] == "delivered" for d in deliveries)


async def test_example_3_content_version_of_article_123(api: httpx.AsyncClient) -> None:
    unknown = await send(api, "POST", "/versions", doc.fill(doc.EXAMPLE_3))
    assert unknown.status_code == 404, unknown.text  # no such article yet: named, not a crash
    assert (
        unknown.json()["error"]["message"] == "articleId: no article has the id or slug "
        "'article-123'"
    )

    article = await created(api, "/articles", {"title": "Article 123", "body": "First draft"})
    assert article["slug"] == "article-123"  # `article-123` names it by its slug
    response = await send(api, "POST", "/versions", doc.fill(doc.EXAMPLE_3))
    assert response.status_code == 201, response.text
    version = response.json()
    assert (version["version_number"], version["change_type"]) == (2, "edited")
    assert version["change_description"] == "Updated headline and SEO metadata"
    assert version["meta"] == {"workflow": True, "automationId": "workflow-456"}
    history = (await api.get(f"{BASE}/versions/{article['id']}")).json()
    assert [v["version_number"] for v in history["items"]] == [2, 1] and history["chain_ok"]
    assert history["items"][0]["commit_hash"] == version["commit_hash"]


async def test_example_4_manual_run_on_article_123(api: httpx.AsyncClient) -> None:
    article = await created(
        api, "/articles", {"title": "Article 123", "status": "READY_TO_PUBLISH"}
    )
    assert article["status"] == "ready"  # the original's status name, shown as ours
    publisher = {
        "name": "Publish by hand",
        "trigger": {"type": "manual"},
        "actions": [{"id": "publish", "type": "publish", "config": {}}],
    }
    workflow = await created(api, "/workflows", publisher)
    path = f"/workflows/{workflow['id']}/execute?wait=true"
    response = await send(api, "POST", path, doc.fill(doc.EXAMPLE_4))
    assert response.status_code == 200, response.text
    execution = response.json()
    assert execution["trigger_type"] == "manual" and execution["status"] == "succeeded"
    assert execution["trigger_payload"] == {"articleId": "article-123", "article_id": article["id"]}
    published = (await api.get(f"{BASE}/articles/{article['id']}")).json()
    assert published["status"] == "published" and published["published_at"]
    listed = await api.get(f"{BASE}/articles", params={"status": "PUBLISHED"})
    assert [a["id"] for a in listed.json()["items"]] == [article["id"]]

    missing = await send(api, "POST", path, doc.fill(doc.EXAMPLE_4.replace("123", "404")))
    assert missing.status_code == 404, missing.text
    assert missing.json()["error"]["message"].startswith("trigger_data.articleId: no article")


async def test_the_curl_lines(api: httpx.AsyncClient, engine: Engine) -> None:
    listing, create, execute, stats = doc.CURL
    assert (await send(api, *listing)).json()["total"] == 0
    response = await send(api, create[0], create[1], doc.fill(create[2]))
    assert response.status_code == 201, response.text
    workflow = response.json()
    assert (workflow["name"], workflow["workflow_type"]) == ("Test Workflow", "custom")
    listed = (await send(api, *listing)).json()
    assert [w["id"] for w in listed["items"]] == [workflow["id"]]

    path = doc.path_of(execute[1], workflow["id"])
    started = await send(api, execute[0], path, doc.fill(execute[2]))
    assert started.status_code == 202, started.text
    assert started.json()["trigger_type"] == "manual"
    await engine.drain()
    run = (await api.get(f"{BASE}/executions/{started.json()['id']}")).json()
    assert run["status"] == "succeeded" and run["steps"][0]["output"] == {"text": "hello"}

    totals = await send(api, *stats)
    assert totals.status_code == 200, totals.text
    assert totals.json()["total_workflows"] == 1 and totals.json()["executions_total"] == 1

    transport = httpx.ASGITransport(app=create_api())  # as written, the curl lines carry no key
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:4000") as bare:
        refused = await send(bare, *listing)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"


def test_every_placeholder_is_filled() -> None:
    for text in (doc.EXAMPLE_1, doc.EXAMPLE_3, doc.EXAMPLE_4, doc.CURL[1][2], doc.CURL[2][2]):
        assert b"<" not in doc.fill(text).replace(b"<=", b"")
    with pytest.raises(json.JSONDecodeError):
        doc.fill(doc.EXAMPLE_2)  # its workflow and hook must be given
