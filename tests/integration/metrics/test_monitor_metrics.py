"""`monitor` with the original's `metrics`, on the real engine: no source → saved with a
warning and the step skipped with the reason; with sources → samples of the article stored
and thresholds applied; a source that refuses fails the step."""

from __future__ import annotations

from typing import Any

import httpx
from sqlmodel import select

from app.db.engine import session_scope
from app.db.models import MetricSample
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor
from tests.integration.actions.action_helpers import new_article, run
from tests.integration.metrics.conftest import connect
from tests.integration.metrics.standins import Sources

#: Example 1's monitor step, exactly as the original document writes it.
MONITOR = {
    "id": "monitor",
    "name": "Monitor Performance",
    "type": "monitor",
    "config": {"metrics": ["ranking", "traffic", "engagement"]},
}
REASON = "no metrics source for ranking, traffic, engagement: add one under Connections"


def _samples(execution_id: int) -> list[tuple[str, float, int | None]]:
    with session_scope() as session:
        rows = session.exec(
            select(MetricSample)
            .where(MetricSample.execution_id == execution_id)
            .order_by(MetricSample.name)  # type: ignore[arg-type]
        )
        return [(s.name, s.value, s.article_id) for s in rows]


async def test_no_source_saves_with_a_warning_and_the_step_is_skipped_with_the_reason(
    api: httpx.AsyncClient, engine: Engine, member: Actor
) -> None:
    article = new_article(member)
    body = {
        "name": "Monitor only",
        "trigger": {"type": "manual", "config": {}},
        "actions": [MONITOR],
    }
    created = await api.post("/api/workflow-orchestration/workflows", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["warnings"] == [{"path": "actions[0].config.metrics", "message": REASON}]
    started = await api.post(
        f"/api/workflow-orchestration/workflows/{created.json()['id']}/execute",
        json={"payload": {"article_id": article["id"]}},
    )
    assert started.status_code in (200, 201, 202), started.text
    await engine.drain()
    execution = (
        await api.get(f"/api/workflow-orchestration/executions/{started.json()['id']}")
    ).json()
    (step,) = execution["steps"]
    assert execution["status"] == "succeeded"
    assert (step["status"], step["skip_reason"], step["error"]) == ("skipped", REASON, None)
    assert step["output"]["metrics"]["missing"] == ["ranking", "traffic", "engagement"]
    assert _samples(execution["id"]) == []


async def test_a_step_after_a_skipped_monitor_still_runs(engine: Engine, member: Actor) -> None:
    after = {"id": "after", "type": "transform", "config": {"values": {"ran": True}}}
    result = await run(member, engine, [MONITOR, after], payload={"article_id": 1})
    assert [s["status"] for s in result["steps"]] == ["skipped", "succeeded"]
    assert result["status"] == "succeeded"


async def test_with_sources_the_article_s_samples_are_stored(
    engine: Engine, member: Actor, sources: Sources
) -> None:
    article = new_article(member, slug="hello-metrics")
    connect(member, "plausible", sources.base_url)
    connect(member, "search_console", sources.base_url)
    saved = workflows.create_workflow(
        member, {"name": "measured", "trigger": {"type": "manual"}, "actions": [MONITOR]}
    )
    assert saved.warnings == []
    started = await executions.execute_workflow(
        member, saved.workflow["id"], payload={"article_id": article["id"]}
    )
    await engine.drain()
    result = executions.get_execution(member, started["id"])
    (step,) = result["steps"]
    assert step["status"] == "succeeded", step
    assert _samples(result["id"]) == [
        ("engagement.bounce_rate", 41.0, article["id"]),
        ("engagement.visit_duration", 73.0, article["id"]),
        ("ranking.clicks", 12.0, article["id"]),
        ("ranking.ctr", 0.0353, article["id"]),
        ("ranking.impressions", 340.0, article["id"]),
        ("ranking.position", 7.4, article["id"]),
        ("traffic.pageviews", 455.0, article["id"]),
        ("traffic.visitors", 310.0, article["id"]),
    ]
    metrics = step["output"]["metrics"]
    assert metrics["page"].endswith("/articles/hello-metrics") and metrics["missing"] == []
    assert {s["platform"]: s["metrics"] for s in metrics["sources"]} == {
        "plausible": ["traffic", "engagement"], "search_console": ["ranking"]
    }  # fmt: skip
    (query,) = sources.to("/api/v2/query")
    assert query.json()["filters"] == [["is", "event:page", ["/articles/hello-metrics"]]]


async def test_a_missing_source_is_named_on_save_and_in_the_output(
    engine: Engine, member: Actor, sources: Sources
) -> None:
    article = new_article(member)
    connect(member, "umami", sources.base_url)
    saved = workflows.create_workflow(
        member, {"name": "no ranking", "trigger": {"type": "manual"}, "actions": [MONITOR]}
    )
    reason = "no metrics source for ranking: add one under Connections"
    assert saved.warnings == [{"path": "actions[0].config.metrics", "message": reason}]
    result = await run(member, engine, [MONITOR], payload={"article_id": article["id"]})
    (step,) = result["steps"]
    assert step["status"] == "succeeded"
    assert step["output"]["metrics"]["note"] == reason
    assert {name for name, _, _ in _samples(result["id"])} == {
        "traffic.visitors", "traffic.pageviews", "engagement.bounce_rate",
        "engagement.visit_duration",
    }  # fmt: skip


async def test_thresholds_apply_to_the_metric_names(
    engine: Engine, member: Actor, sources: Sources
) -> None:
    article = new_article(member)
    connect(member, "search_console", sources.base_url)
    config: dict[str, Any] = {
        "metrics": ["ranking"],
        "thresholds": {"ranking.position": {"max": 5}, "ranking.clicks": {"min": 1}},
    }
    step_def = {"id": "rank", "type": "monitor", "config": config}
    result = await run(member, engine, [step_def], payload={"article_id": article["id"]})
    (step,) = result["steps"]
    assert result["status"] == "failed"
    assert step["error"].startswith("threshold breached: ranking.position (")
    assert step["error"].endswith("/articles/workflow-automation-for-small-teams) is 7.4, above "
                                  "the maximum 5")  # fmt: skip
    assert len(_samples(result["id"])) == 4  # stored before failing


async def test_a_source_that_keeps_rate_limiting_fails_the_step_retryably(
    engine: Engine, member: Actor, sources: Sources
) -> None:
    article = new_article(member)
    connect(member, "plausible", sources.base_url)
    sources.then(429, {"error": "Too many requests"}, {"Retry-After": "3600"})
    step_def = {"id": "m", "type": "monitor", "config": {"metrics": ["traffic"]}}
    result = await run(member, engine, [step_def], payload={"article_id": article["id"]})
    (step,) = result["steps"]
    assert result["status"] == "failed"
    assert step["attempts"][0]["failure_kind"] == "http_429"
    assert "Plausible is rate limiting (429)" in step["error"]


async def test_metrics_without_an_article_fail_clearly(
    engine: Engine, member: Actor, sources: Sources
) -> None:
    connect(member, "plausible", sources.base_url)
    result = await run(member, engine, [MONITOR])
    (step,) = result["steps"]
    assert step["status"] == "failed"
    assert step["error"] == (
        "metrics need the article: config.article: required: no article id in the config or "
        "the trigger"
    )
    assert step["attempts"][0]["failure_kind"] == "validation"


async def test_a_monitor_inside_for_each_skips_its_items(engine: Engine, member: Actor) -> None:
    inner = {"type": "monitor", "config": {"metrics": ["traffic"], "article": "{{ item }}"}}
    loop = {"id": "loop", "type": "for_each", "config": {"items": [1, 2], "step": inner}}
    result = await run(member, engine, [loop])
    (step,) = result["steps"]
    assert result["status"] == "succeeded", step
    assert step["items"]["counts"] == {"skipped": 2}
