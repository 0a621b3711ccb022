"""The original document's workflow end to end: an article made ready through the article service
fires the `publish` trigger, and the real engine runs Publish → Share → Monitor → Optimize
against Slack and Telegram stand-ins and a website with a stats API, all on loopback."""

from __future__ import annotations

import asyncio
import json

from sqlmodel import select

from app.db.engine import session_scope
from app.db.models import Execution, MetricSample
from app.engine.runner import Engine
from app.engine.triggers.events import EventTriggers
from app.services import articles, content_versions, executions, workflows
from app.services.actor import Actor
from tests.integration.actions.action_helpers import (
    BODY,
    assert_no_secrets,
    connect,
    stored_text,
)
from tests.integration.actions.stand_ins import Site
from tests.integration.alerts.counterparts import CHAT_ID, Counterparts


def _original_workflow(site: Site) -> dict:
    """`Auto Publish & Share` from the original document, with Flowdeck's action configs."""
    page = site.base_url + "/articles/{{ steps.publish.output.slug }}"
    stats = site.base_url + "/api/stats"
    return {
        "name": "Auto Publish & Share",
        "description": "Automatically publish articles and share on social media",
        "workflowType": "custom",
        "trigger": {"type": "publish", "config": {"articleStatus": "READY_TO_PUBLISH"}},
        "actions": [
            {"id": "publish", "name": "Publish Article", "type": "publish", "config": {}},
            {"id": "share", "name": "Share on Social Media", "type": "share",
             "config": {"connections": ["team-slack", "news-telegram"],
                        "message": f"New article: {{{{ steps.publish.output.title }}}} {page}"}},
            {"id": "monitor", "name": "Monitor Performance", "type": "monitor",
             "config": {"urls": [page],
                        "jsonPaths": {"traffic": f"{stats}|$.data.visitors",
                                      "ranking": f"{stats}|$.data.ranking",
                                      "engagement": f"{stats}|$.data.engagement.rate"},
                        "thresholds": {"up": {"min": 1}, "ranking": {"max": 10}}}},
            {"id": "optimize", "name": "Optimize Content", "type": "optimize",
             "config": {"keywords": ["workflow", "automation"]}},
        ],
        "priority": "high",
    }  # fmt: skip


async def _wait_for_run(workflow_id: int, engine: Engine) -> int:
    """The trigger starts the run on the loop soon after the status change; wait for it."""
    for _ in range(250):
        with session_scope() as session:
            found = session.exec(
                select(Execution.id).where(Execution.workflow_id == workflow_id)
            ).first()
        if found is not None:
            await engine.drain()
            return found
        await asyncio.sleep(0.02)
    raise AssertionError("the publish trigger did not start the workflow")


async def test_publish_share_monitor_optimize(
    engine: Engine,
    member: Actor,
    listeners: EventTriggers,
    counterparts: Counterparts,
    site: Site,
) -> None:
    connect(member, "slack", counterparts.base_url)
    connect(member, "telegram", counterparts.base_url)
    workflow_id = workflows.create_workflow(member, _original_workflow(site)).workflow["id"]
    article = articles.create_article(
        member, title="Workflow automation for small teams", body=BODY, tags=["automation"]
    )

    articles.set_article_status(member, article["id"], "ready")
    execution_id = await _wait_for_run(workflow_id, engine)

    result = executions.get_execution(member, execution_id)
    assert result["status"] == "succeeded", result
    assert result["trigger_type"] == "publish"
    steps = {s["action_id"]: s for s in result["steps"]}
    assert [s["status"] for s in result["steps"]] == ["succeeded"] * 4

    # Publish: the article is out, with a `published` version that names this run.
    stored = articles.get_article(member, article["id"])
    assert stored["status"] == "published" and stored["published_at"]
    latest = content_versions.history(member, article["id"])["items"][0]
    assert latest["change_type"] == "published"
    assert latest["meta"] == {"execution_id": execution_id, "workflow_id": workflow_id}
    assert steps["publish"]["output"]["version_number"] == latest["version_number"]

    # Share: Slack and Telegram got the rendered message.
    text = f"New article: {article['title']} {site.base_url}/articles/{article['slug']}"
    assert [json.loads(r["body"]) for r in counterparts.slack] == [{"text": text}]
    assert [json.loads(r["body"]) for r in counterparts.telegram] == [
        {"chat_id": CHAT_ID, "text": text}
    ]
    assert steps["share"]["output"]["sent"] == 2

    # Monitor: the page and the stats were measured and kept as samples.
    assert steps["monitor"]["output"]["values"] == {
        "traffic": 1234.0, "ranking": 3.0, "engagement": 0.42
    }  # fmt: skip
    with session_scope() as session:
        samples = session.exec(
            select(MetricSample).where(MetricSample.execution_id == execution_id)
        ).all()
    names = {s.name for s in samples}
    assert {"traffic", "ranking", "engagement", "status", "latency_ms", "size_bytes"} <= names
    assert all(s.workflow_id == workflow_id for s in samples)

    # Optimize: a score and concrete suggestions, nothing changed without `apply`.
    report = steps["optimize"]["output"]
    assert 0 < report["score"] <= 100 and report["suggestions"]
    assert report["keywords"]["automation"]["count"] >= 1 and report["applied"] is False

    assert_no_secrets(stored_text(), json.dumps(result))
