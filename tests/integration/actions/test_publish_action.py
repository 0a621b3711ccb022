"""`publish` on the real engine: the article, its version, the POST to a connection."""

from __future__ import annotations

import json

from app.engine.runner import Engine
from app.services import articles, connections, content_versions
from app.services.actor import Actor
from tests.integration.actions.action_helpers import (
    assert_no_secrets,
    connect,
    new_article,
    run,
    stored_text,
)
from tests.integration.actions.stand_ins import CMS_KEY, Site


async def test_publish_sets_the_article_published_and_posts_it(
    engine: Engine, member: Actor, site: Site
) -> None:
    article = new_article(member)
    cms = connect(member, "cms", site.base_url)
    result = await run(
        member,
        engine,
        [{"id": "publish", "type": "publish",
          "config": {"article": "{{ trigger.article_id }}", "connection": "cms",
                     "path": "articles"}}],
        payload={"article_id": article["id"]},
    )  # fmt: skip
    assert result["status"] == "succeeded", result
    output = result["steps"][0]["output"]
    stored = articles.get_article(member, article["id"])
    assert stored["status"] == "published" and stored["published_at"]
    assert stored["current_version"] == 2
    latest = content_versions.history(member, article["id"])["items"][0]
    assert latest["change_type"] == "published"
    assert latest["meta"] == {"execution_id": result["id"], "workflow_id": result["workflow_id"]}
    assert latest["changed_by"] == member.user_id  # who started the run
    assert output["article_id"] == article["id"] and output["slug"] == article["slug"]
    assert output["version_number"] == 2 and output["commit_hash"] == latest["commit_hash"]
    assert output["endpoint"] == {"connection": "cms", "platform": "http", "ok": True,
                                  "status": 201, "error": None, "kind": None}  # fmt: skip
    [posted] = site.to("/cms/articles")
    assert posted["headers"]["x-api-key"] == CMS_KEY
    body = json.loads(posted["body"])
    assert body["event"] == "article.published"
    assert body["article"]["title"] == article["title"] and body["article"]["body"]
    assert body["version"] == {"number": 2, "commit": latest["commit_hash"]}
    assert connections.get_connection(member, cms)["usage_count"] == 1
    assert content_versions.history(member, article["id"])["chain_ok"]
    assert_no_secrets(stored_text(), json.dumps(result))


async def test_article_defaults_to_the_trigger_and_repeats_write_no_new_version(
    engine: Engine, member: Actor
) -> None:
    article = new_article(member)
    actions = [{"id": "publish", "type": "publish", "config": {}}]
    first = await run(member, engine, actions, payload={"article_id": article["id"]})
    second = await run(member, engine, actions, payload={"article_id": article["id"]})
    assert first["status"] == second["status"] == "succeeded"
    one, two = first["steps"][0]["output"], second["steps"][0]["output"]
    assert one["already_published"] is False and two["already_published"] is True
    assert one["version_number"] == two["version_number"] == 2
    assert one["endpoint"] is None
    assert content_versions.history(member, article["id"])["total"] == 2


async def test_a_draft_cannot_be_published_and_is_not_retried(
    engine: Engine, member: Actor
) -> None:
    article = new_article(member, status="draft")
    result = await run(
        member,
        engine,
        [{"id": "publish", "type": "publish", "config": {"article": article["id"]},
          "retry": {"strategy": "immediate", "max_attempts": 3}}],
    )  # fmt: skip
    step = result["steps"][0]
    assert result["status"] == "failed"
    assert "cannot become published" in step["error"]
    assert len(step["attempts"]) == 1 and step["attempts"][0]["failure_kind"] == "validation"
    assert articles.get_article(member, article["id"])["status"] == "draft"


async def test_without_an_article_id_the_step_says_what_is_missing(
    engine: Engine, member: Actor
) -> None:
    result = await run(member, engine, [{"id": "publish", "type": "publish", "config": {}}])
    assert result["status"] == "failed"
    assert "config.article" in result["steps"][0]["error"]


async def test_a_refused_post_is_retried_without_publishing_twice(
    engine: Engine, member: Actor, site: Site
) -> None:
    article = new_article(member)
    connect(member, "cms", site.base_url)
    result = await run(
        member,
        engine,
        [{"id": "publish", "type": "publish",
          "config": {"article": article["id"], "connection": "cms", "path": "down"},
          "retry": {"strategy": "immediate", "max_attempts": 2}}],
    )  # fmt: skip
    step = result["steps"][0]
    assert result["status"] == "failed"
    assert [a["failure_kind"] for a in step["attempts"]] == ["http_5xx", "http_5xx"]
    assert "is published, but 'cms' refused it" in step["error"]
    assert step["output"]["endpoint"]["status"] == 503
    assert len(site.to("/cms/down")) == 2
    assert articles.get_article(member, article["id"])["status"] == "published"
    history = content_versions.history(member, article["id"])
    assert [v["change_type"] for v in history["items"]] == ["published", "created"]
