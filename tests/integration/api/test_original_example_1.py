"""000's Example 1 ("Auto Publish & Share") sent byte for byte, then run by its own trigger: an
article moved to `READY_TO_PUBLISH` over REST is published, shared to the one platform that has a
connection (Telegram, a loopback stand-in) with the others named as not connected, and the
monitor step, with no metrics source configured, ends skipped saying so (as the save warned)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.engine.runner import Engine
from app.engine.triggers.events import EventTriggers
from tests.integration.alerts.counterparts import CHAT_ID, TELEGRAM_TOKEN, serve_counterparts
from tests.integration.api import original_requests as doc
from tests.integration.api.test_original_examples import BASE, created, send

NO_SOURCE = "no metrics source for ranking, traffic, engagement: add one under Connections"


@pytest.fixture
async def listeners(engine: Engine) -> AsyncIterator[EventTriggers]:
    """`publish` triggers listening on the bus, as at start-up."""
    triggers = EventTriggers()
    triggers.start()
    yield triggers
    triggers.stop()


async def _first_run(api: httpx.AsyncClient, workflow_id: int, engine: Engine) -> dict[str, Any]:
    for _ in range(250):  # the trigger starts the run off the request, within moments
        page = await api.get(f"{BASE}/executions", params={"workflow_id": workflow_id})
        if page.json()["items"]:
            await engine.drain()
            run_id = page.json()["items"][0]["id"]
            return (await api.get(f"{BASE}/executions/{run_id}")).json()
        await asyncio.sleep(0.02)
    raise AssertionError("the publish trigger did not start Example 1")


async def test_example_1_publishes_shares_and_says_why_it_measured_nothing(
    api: httpx.AsyncClient, engine: Engine, listeners: EventTriggers
) -> None:
    with serve_counterparts() as telegram:
        await created(
            api,
            "/connections",
            {"name": "news-telegram", "platform": "telegram",
             "credentials": {"botToken": TELEGRAM_TOKEN},
             "config": {"apiBase": telegram.base_url, "defaultChatId": CHAT_ID}},
        )  # fmt: skip
        response = await send(api, "POST", "/workflows", doc.fill(doc.EXAMPLE_1))
        assert response.status_code == 201, response.text
        workflow = response.json()
        assert workflow["trigger"]["config"] == {"article_status": "ready"}
        assert {"path": "actions[2].config.metrics", "message": NO_SOURCE} in workflow["warnings"]

        article = await created(
            api, "/articles", {"title": "Ten lessons", "tags": ["automation"], "status": "DRAFT"}
        )
        moved = await api.put(
            f"{BASE}/articles/{article['id']}", json={"status": "READY_TO_PUBLISH"}
        )
        assert moved.status_code == 200 and moved.json()["status"] == "ready", moved.text
        run = await _first_run(api, workflow["id"], engine)
        posts = [json.loads(r["body"]) for r in telegram.telegram]

    steps = {s["action_id"]: s for s in run["steps"]}
    assert run["trigger_type"] == "publish" and run["status"] == "succeeded", run
    assert steps["publish"]["status"] == "succeeded"
    stored = (await api.get(f"{BASE}/articles/{article['id']}")).json()
    assert stored["status"] == "published"

    share = steps["share"]
    assert share["status"] == "succeeded", share
    text = json.dumps(share["output"])
    assert "twitter: no connection" in text and "linkedin: no connection" in text
    [post] = posts  # Telegram got the post built from the article: title, link, hashtag
    assert post["chat_id"] == CHAT_ID
    assert "Ten lessons" in post["text"] and f"/articles/{article['slug']}" in post["text"]
    assert "#automation" in post["text"]

    monitor = steps["monitor"]
    assert monitor["status"] == "skipped" and monitor["skip_reason"] == NO_SOURCE, monitor
