"""`publish`: set an article published, record a `published` version, optionally POST it.

`article` defaults to the trigger's `article_id` (a `publish` trigger's payload carries it).
The article rules apply: only a `ready` article can be published. One already published whose
latest version is a `published` one is left as it is, so a retry or a second run does not pile
up identical versions. A real status change is announced on the bus as the article service
announces it (`article.status_changed`, `article.published`, `article.updated`).

With `connection` (an n8n / Zapier webhook or an `http` connection), the article is POSTed
there as JSON. A refusal fails the step with the publication already recorded; a retry then
only repeats the POST (retryable for 5xx, 429 and network errors).
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import Field

from app.core.config_models import ActionConfig
from app.core.errors import Conflict
from app.engine.actions import StepContext, action
from app.engine.bus import bus
from app.engine.content import publish_article, target_article_id
from app.engine.failures import ActionFailed
from app.engine.messaging import ConnectionRef, load, post_document
from app.integrations.credentials import record_use

ARTICLE_FIELDS = (
    "id",
    "title",
    "slug",
    "meta_description",
    "body",
    "tags",
    "status",
    "published_at",
    "updated_at",
)


class PublishConfig(ActionConfig):
    """Which article (default: the trigger's `article_id`) and where to POST it, if anywhere."""

    article: int | None = Field(None, ge=1)
    connection: ConnectionRef | None = None
    path: str = Field("", max_length=2000)  # under the connection's base URL
    timeout_s: float = Field(30.0, gt=0, le=300)


def _announce(published: dict[str, Any]) -> None:
    data = {
        "article_id": published["id"],
        "status": published["status"],
        "previous_status": published["previous_status"],
        "title": published["title"],
    }
    bus.publish_nowait(
        "article.updated", article_id=published["id"], version=published["version_number"]
    )
    bus.publish_nowait("article.status_changed", **data)
    bus.publish_nowait(f"article.{published['status']}", **data)


@action("publish", PublishConfig, "Publish an article (and POST it to a connection)")
async def run(step: StepContext, config: PublishConfig) -> dict[str, Any]:
    article_id = target_article_id(config.article, step.context.get("trigger") or {})
    conn = await load(config.connection) if config.connection is not None else None
    if conn is not None:  # loaded first: a missing connection fails before anything changes
        step.secrets.extend(v for v in conn.secret_values() if v not in step.secrets)
    try:
        published = await asyncio.to_thread(
            publish_article,
            article_id,
            execution_id=step.execution_id,
            workflow_id=step.workflow_id,
        )
    except Conflict as exc:
        raise ActionFailed(f"article {article_id}: {exc.message}", kind="validation") from exc
    if published["moved"]:
        _announce(published)
    output: dict[str, Any] = {
        "article_id": published["id"],
        "title": published["title"],
        "slug": published["slug"],
        "status": published["status"],
        "published_at": published["published_at"],
        "version_number": published["version_number"],
        "commit_hash": published["commit_hash"],
        "already_published": published["already_published"],
        "endpoint": None,
    }
    if conn is None:
        return output
    payload = {
        "event": "article.published",
        "article": {key: published[key] for key in ARTICLE_FIELDS},
        "version": {"number": published["version_number"], "commit": published["commit_hash"]},
        "workflow_id": step.workflow_id,
        "execution_id": step.execution_id,
    }
    delivery = await post_document(conn, payload, path=config.path, timeout_s=config.timeout_s)
    await asyncio.to_thread(record_use, conn.id)
    output["endpoint"] = {"connection": conn.name, "platform": conn.platform, **delivery.as_dict()}
    if not delivery.ok:
        raise ActionFailed(
            f"article {article_id} is published, but {conn.name!r} refused it: {delivery.error}",
            kind=delivery.kind or "error",
            output=output,
        )
    return output
