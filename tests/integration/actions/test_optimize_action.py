"""`optimize` on the real engine: the report, and safe fixes saved as a version."""

from __future__ import annotations

from app.core.articles import slugify
from app.engine.runner import Engine
from app.services import articles, content_versions
from app.services.actor import Actor
from tests.integration.actions.action_helpers import new_article, run

LONG_TITLE = (
    "How a small team automated publishing, sharing, monitoring and optimizing every article "
    "it writes"
)


def _optimize(**config: object) -> list[dict]:
    return [{"id": "optimize", "type": "optimize", "config": config}]


async def test_the_report_changes_nothing_without_apply(engine: Engine, member: Actor) -> None:
    article = new_article(member)
    result = await run(
        member, engine, _optimize(article=article["id"], keywords=["automation", "workflow"])
    )
    assert result["status"] == "succeeded", result
    output = result["steps"][0]["output"]
    assert 0 < output["score"] < 100 and output["score"] == output["score_before"]
    assert "Add a meta description of 120–160 characters" in output["suggestions"]
    assert output["keywords"]["automation"]["count"] == 2
    assert output["headings"] == [
        {"level": 1, "text": "Workflow automation for small teams"},
        {"level": 2, "text": "Why automate"},
    ]
    assert output["links"] == 1 and output["readability"]["flesch_reading_ease"] is not None
    assert output["fixes"] == {"meta_description": output["fixes"]["meta_description"]}
    assert output["applied"] is False and output["version_number"] is None
    assert articles.get_article(member, article["id"])["current_version"] == 1


async def test_apply_saves_the_safe_fixes_as_one_version(engine: Engine, member: Actor) -> None:
    article = new_article(member, title=LONG_TITLE, meta_description="word " * 50)
    assert len(article["slug"]) > 80
    new_article(member, title="taken", slug=slugify(LONG_TITLE)[:80].rsplit("-", 1)[0])
    actions = _optimize(keywords=["automation"], apply=True)
    result = await run(member, engine, actions, payload={"article_id": article["id"]})
    assert result["status"] == "succeeded", result
    output = result["steps"][0]["output"]
    assert output["applied"] is True and output["version_number"] == 2
    stored = articles.get_article(member, article["id"])
    assert len(stored["meta_description"]) <= 160
    assert stored["meta_description"].endswith("word")
    expected_slug = output["fixes"]["slug"]
    assert len(expected_slug) <= 80 and stored["slug"] == f"{expected_slug}-2"  # taken: suffixed
    assert output["slug"] == stored["slug"]
    latest = content_versions.history(member, article["id"])["items"][0]
    assert latest["change_type"] == "edited"
    assert latest["meta"]["action"] == "optimize"
    assert latest["meta"]["execution_id"] == result["id"]
    assert latest["change_description"] == "optimize: fixed meta_description, fixed slug"
    assert output["score"] >= output["score_before"]

    again = await run(member, engine, actions, payload={"article_id": article["id"]})
    assert again["steps"][0]["output"]["fixes"] == {}
    assert again["steps"][0]["output"]["applied"] is False
    assert content_versions.history(member, article["id"])["total"] == 2
