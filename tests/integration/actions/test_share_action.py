"""`share` on the real engine against Slack, Telegram and n8n stand-ins on loopback."""

from __future__ import annotations

import json

from app.engine.runner import Engine
from app.services import connections
from app.services.actor import Actor
from tests.integration.actions.action_helpers import (
    assert_no_secrets,
    connect,
    new_article,
    run,
    stored_text,
)
from tests.integration.actions.stand_ins import Site
from tests.integration.alerts.counterparts import (
    CHAT_ID,
    Counterparts,
    slack_error,
    slack_rate_limited,
)

MESSAGE = "New article: {{ trigger.title }} (#{{ trigger.article_id }})"


def _share(**config: object) -> list[dict]:
    return [{"id": "share", "type": "share", "config": {"message": MESSAGE, **config}}]


async def test_one_message_reaches_every_platform(
    engine: Engine, member: Actor, counterparts: Counterparts, site: Site
) -> None:
    slack = connect(member, "slack", counterparts.base_url)
    connect(member, "telegram", counterparts.base_url)
    connect(member, "n8n", site.base_url)
    article = new_article(member)
    payload = {"article_id": article["id"], "title": article["title"]}
    result = await run(
        member, engine, _share(connections=[slack, "news-telegram", "n8n-flow"]), payload
    )
    assert result["status"] == "succeeded", result
    text = f"New article: {article['title']} (#{article['id']})"
    output = result["steps"][0]["output"]
    assert output["sent"] == 3 and output["failed"] == 0 and output["message"] == text
    assert [(r["connection"], r["platform"], r["ok"], r["status"]) for r in output["results"]] == [
        ("team-slack", "slack", True, 200),
        ("news-telegram", "telegram", True, 200),
        ("n8n-flow", "n8n", True, 200),
    ]
    assert json.loads(counterparts.slack[0]["body"]) == {"text": text}
    telegram = json.loads(counterparts.telegram[0]["body"])
    assert counterparts.telegram[0]["path"].endswith("/sendMessage")
    assert telegram == {"chat_id": CHAT_ID, "text": text}
    [hook] = site.to("/webhook/")
    n8n = json.loads(hook["body"])
    assert n8n["message"] == text and n8n["article"]["slug"] == article["slug"]
    assert n8n["execution_id"] == result["id"]
    assert connections.get_connection(member, slack)["usage_count"] == 1
    assert_no_secrets(stored_text(), json.dumps(result))


async def test_one_failed_platform_fails_the_step_only_when_asked(
    engine: Engine, member: Actor, counterparts: Counterparts
) -> None:
    connect(member, "slack", counterparts.base_url)
    connect(member, "telegram", counterparts.base_url)
    targets = ["team-slack", "news-telegram"]
    payload = {"article_id": 1, "title": "T"}
    counterparts.slack_answers = [slack_error(404, "no_service")] * 2
    lenient = await run(member, engine, _share(connections=targets), payload)
    assert lenient["status"] == "succeeded"
    results = lenient["steps"][0]["output"]["results"]
    assert results[0]["ok"] is False and results[0]["error"] == "Slack answered 404: no_service"
    assert results[1]["ok"] is True

    strict = await run(
        member,
        engine,
        [{**_share(connections=targets, failOnAny=True)[0],
          "retry": {"strategy": "immediate", "max_attempts": 3}}],
        payload,
    )  # fmt: skip
    step = strict["steps"][0]
    assert strict["status"] == "failed"
    assert "share failed on 1 of 2 platforms (team-slack: Slack answered 404" in step["error"]
    # Telegram already has the message: a retry would post it twice, so none is made.
    assert len(step["attempts"]) == 1 and step["attempts"][0]["failure_kind"] == "error"
    assert len(counterparts.telegram) == 2


async def test_when_nothing_went_out_a_retry_may_help(
    engine: Engine, member: Actor, counterparts: Counterparts
) -> None:
    connect(member, "slack", counterparts.base_url)
    counterparts.slack_answers = [slack_rate_limited(1)]
    result = await run(
        member,
        engine,
        [{**_share(connections=["team-slack"])[0],
          "retry": {"strategy": "immediate", "max_attempts": 2}}],
        {"article_id": 1, "title": "T"},
    )  # fmt: skip
    step = result["steps"][0]
    assert result["status"] == "succeeded"
    assert [a["failure_kind"] for a in step["attempts"]] == ["http_429", None]
    assert len(counterparts.slack) == 2


async def test_platforms_as_in_the_original_document(
    engine: Engine, member: Actor, counterparts: Counterparts
) -> None:
    connect(member, "telegram", counterparts.base_url)
    result = await run(
        member,
        engine,
        [{"id": "share", "type": "share",
          "config": {"platforms": ["twitter", "telegram"], "message": "Hello"}}],
    )  # fmt: skip
    assert result["status"] == "succeeded"
    results = result["steps"][0]["output"]["results"]
    assert [(r["platform"], r["ok"]) for r in results] == [("telegram", True), ("twitter", False)]
    assert results[1]["error"] == "no connection"
    assert result["steps"][0]["output"]["summary"][1] == "twitter: no connection"


async def test_every_platform_failing_fails_the_step(
    engine: Engine, member: Actor, counterparts: Counterparts
) -> None:
    config = {"apiBase": counterparts.base_url, "defaultChatId": "-100999"}
    connect(member, "telegram", counterparts.base_url, config=config)
    payload = {"article_id": 404, "title": "T"}  # no such article: webhooks get none
    result = await run(member, engine, _share(connections=["news-telegram", "nope"]), payload)
    step = result["steps"][0]
    assert result["status"] == "failed"
    errors = [r["error"] for r in step["output"]["results"]]
    assert errors == [
        "Telegram answered 400: Bad Request: chat not found",
        "connection 'nope' does not exist",
    ]
    assert "share failed on 2 of 2 platforms" in step["error"]
