"""Content templates: publish → share → monitor → optimize, review before publishing, and the
scheduled health check of a site's pages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlmodel import select

from app.db.engine import session_scope
from app.db.models import Execution
from app.engine.triggers.events import EventTriggers
from app.services import articles
from tests.integration.actions.action_helpers import BODY
from tests.integration.templates.helpers import Run, from_template, scenario, slack, statuses


@asynccontextmanager
async def _listening() -> AsyncIterator[None]:
    """The `publish` trigger listening on the bus, as at start-up."""
    triggers = EventTriggers()
    triggers.start()
    try:
        yield
    finally:
        triggers.stop()


async def _started_by_trigger(workflow_id: int, after: int = 0) -> int:
    for _ in range(250):
        with session_scope() as session:
            found = session.exec(
                select(Execution.id).where(
                    Execution.workflow_id == workflow_id, Execution.id > after
                )
            ).first()
        if found is not None:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError("the publish trigger did not start the workflow")


def _article(run: Run) -> dict:
    return articles.create_article(
        run.member, title="Workflow automation for small teams", body=BODY, tags=["automation"]
    )


@scenario("publish_share_monitor")
async def publish_share_monitor(run: Run) -> None:
    run.remote.answer("GET /articles/", (200, "<html><body><h1>Live</h1></body></html>"))
    saved = from_template(
        run.member,
        "publish_share_monitor",
        {"slack": slack(run.member, run.counterparts), "site_url": run.remote.base_url,
         "keywords": ["automation", "workflow"]},
    )  # fmt: skip
    article = _article(run)
    async with _listening():
        articles.set_article_status(run.member, article["id"], "ready")
        execution_id = await _started_by_trigger(saved.workflow["id"])
        done = await run.finished(execution_id)

    assert set(statuses(done).values()) == {"succeeded"}
    assert articles.get_article(run.member, article["id"])["status"] == "published"
    [page] = run.remote.to("GET", "/articles/", under=True)
    assert page["path"] == f"/articles/{article['slug']}"
    shared, summary = run.slack_texts()
    assert article["title"] in shared
    assert summary.startswith(f"Published “{article['title']}”. The live page answered 200 in ")
    assert "SEO score " in summary and "/100" in summary


@scenario("content_review")
async def content_review(run: Run) -> None:
    saved = from_template(
        run.member,
        "content_review",
        {"slack": slack(run.member, run.counterparts), "reviewers": [run.member.email],
         "review_timeout_s": 3600},
    )  # fmt: skip
    article = _article(run)
    async with _listening():
        articles.set_article_status(run.member, article["id"], "ready")
        execution_id = await _started_by_trigger(saved.workflow["id"])
        await run.waiting(execution_id)
        assert articles.get_article(run.member, article["id"])["status"] == "ready"
        [request] = run.slack_texts()
        assert f"“{article['title']}” is ready for review" in request
        await run.approve(execution_id, comment="Looks good")
        done = await run.finished(execution_id)

    assert statuses(done) == {
        "request_review": "succeeded", "review": "succeeded", "publish": "succeeded",
        "share": "succeeded", "request_changes": "skipped",
    }  # fmt: skip
    assert articles.get_article(run.member, article["id"])["status"] == "published"
    assert article["title"] in run.slack_texts()[1]

    # A rejection sends the article back with the reviewer's comment; nothing is published.
    second = articles.create_article(run.member, title="Ten tips nobody needs", body=BODY)
    async with _listening():
        articles.set_article_status(run.member, second["id"], "ready")
        rejected_id = await _started_by_trigger(saved.workflow["id"], after=execution_id)
        await run.approve(rejected_id, decision="reject", comment="Too thin, add examples")
        rejected = await run.finished(rejected_id)
    assert statuses(rejected)["publish"] == "skipped"
    assert articles.get_article(run.member, second["id"])["status"] == "ready"
    rejection = run.slack_texts()[-1]
    assert rejection.startswith(
        f"[WARNING] ✋ “Ten tips nobody needs” was not approved by {run.member.email}"
    )  # the decider's label also names the API key it used
    assert rejection.endswith(": Too thin, add examples")


@scenario("content_health_check")
async def content_health_check(run: Run) -> None:
    run.remote.answer("GET /", (200, "<html>home</html>"))
    run.remote.answer("GET /pricing", (503, {"error": "maintenance"}))
    saved = from_template(
        run.member,
        "content_health_check",
        {"site_url": run.remote.base_url, "paths": ["/", "/blog", "/pricing"],
         "slack": slack(run.member, run.counterparts), "schedule": "30 6 * * 1-5",
         "timezone": "Europe/Berlin"},
    )  # fmt: skip
    workflow = saved.workflow
    assert workflow["trigger"]["config"]["cron"] == "30 6 * * 1-5"
    assert workflow["next_run_at"], "the schedule is planned"
    done = await run.finished(await run.start(workflow["id"]))  # "Run now"

    assert statuses(done)["report_problems"] == "succeeded"
    assert statuses(done)["record_ok"] == "skipped"
    assert sorted(r["path"] for r in run.remote.to("GET", "/", under=True)) == [
        "/",
        "/blog",
        "/pricing",
    ]
    [report] = run.slack_texts()
    assert f"{run.remote.base_url}/pricing answered 503" in report
    assert "/blog" not in report
