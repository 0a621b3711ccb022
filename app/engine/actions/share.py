"""`share`: post one message to several platform connections and report each of them.

`message` is usually a template (rendered before the action runs), e.g. `"New: {{
steps.publish.output.title }}"`. `connections` names connections by id or name; `platforms`
(the original document's form, `["telegram", "slack"]`) adds every connection of those
platforms. Slack gets `{"text"}` on its incoming webhook, Telegram a `sendMessage` to the
connection's default chat, n8n / Zapier / http webhooks JSON `{"message", "article", …}`.

The step fails when every platform failed, or when one did and `fail_on_any` is set. Retrying is
only offered (failure kind of the first retryable error) when nothing went out: a retry after a
partial success would post the message twice on the platforms that already have it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import Field, model_validator
from sqlmodel import col, select

from app.core.config_models import ActionConfig
from app.core.errors import FlowdeckError, NotFound, ValidationFailed
from app.db.engine import session_scope
from app.db.models import Connection
from app.engine.actions import StepContext, action
from app.engine.content import read_article, target_article_id
from app.engine.failures import ActionFailed
from app.engine.messaging import ConnectionRef, Delivery, load, post_message
from app.integrations.credentials import record_use

RETRYABLE = ("http_429", "http_5xx", "timeout", "connection")
ARTICLE_FIELDS = ("id", "title", "slug", "meta_description", "tags", "status", "published_at")


class ShareConfig(ActionConfig):
    """Where to post (connections and/or whole platforms), what, and how strict to be."""

    connections: list[ConnectionRef] = Field(default_factory=list, max_length=50)
    platforms: list[str] = Field(default_factory=list, max_length=20)
    message: str = Field(min_length=1, max_length=40_000)
    fail_on_any: bool = False
    article: int | None = Field(None, ge=1)  # sent to webhooks; default: the trigger's
    timeout_s: float = Field(30.0, gt=0, le=300)

    @model_validator(mode="after")
    def _somewhere(self) -> ShareConfig:
        if not self.connections and not self.platforms:
            raise ValueError("name at least one connection (or platform) to share on")
        return self


def _connections_of(platforms: list[str]) -> dict[str, list[int]]:
    with session_scope() as session:
        rows = session.exec(
            select(Connection.id, Connection.platform)
            .where(col(Connection.platform).in_(platforms))
            .order_by(col(Connection.id))
        ).all()
    found: dict[str, list[int]] = {p: [] for p in platforms}
    for conn_id, platform in rows:
        found[platform].append(int(conn_id or 0))
    return found


def _article_summary(config: ShareConfig, trigger: dict[str, Any]) -> dict[str, Any] | None:
    try:
        article_id = target_article_id(config.article, trigger)
    except ValidationFailed:  # sharing needs no article; webhooks then get none
        return None
    try:
        article = read_article(article_id)
    except NotFound:
        if config.article is not None:
            raise
        return None
    return {key: article[key] for key in ARTICLE_FIELDS}


async def _send_one(
    step: StepContext, ref: int | str, config: ShareConfig, data: dict[str, Any]
) -> dict[str, Any]:
    try:
        conn = await load(ref)
    except FlowdeckError as exc:  # missing, or credentials that cannot be read
        return {
            "connection": ref,
            "platform": None,
            "ok": False,
            "status": None,
            "error": exc.message,
            "kind": "error",
        }
    step.secrets.extend(v for v in conn.secret_values() if v not in step.secrets)
    delivery: Delivery = await post_message(conn, config.message, data, timeout_s=config.timeout_s)
    await asyncio.to_thread(record_use, conn.id)
    return {
        "connection": conn.name,
        "connection_id": conn.id,
        "platform": conn.platform,
        **delivery.as_dict(),
    }


@action("share", ShareConfig, "Post a message to Slack, Telegram, n8n, Zapier or webhooks")
async def run(step: StepContext, config: ShareConfig) -> dict[str, Any]:
    trigger = step.context.get("trigger") or {}
    article = await asyncio.to_thread(_article_summary, config, trigger)
    data = {"article": article, "workflow_id": step.workflow_id, "execution_id": step.execution_id}
    refs: list[int | str] = list(dict.fromkeys(config.connections))
    missing: list[dict[str, Any]] = []
    if config.platforms:
        for platform, ids in (await asyncio.to_thread(_connections_of, config.platforms)).items():
            refs += [i for i in ids if i not in refs]
            if not ids:
                missing.append(
                    {
                        "connection": None,
                        "platform": platform,
                        "ok": False,
                        "status": None,
                        "error": f"no {platform} connection",
                        "kind": "error",
                    }
                )
    results = list(await asyncio.gather(*(_send_one(step, r, config, data) for r in refs)))
    results += missing
    failed = [r for r in results if not r["ok"]]
    output = {
        "results": results,
        "sent": len(results) - len(failed),
        "failed": len(failed),
        "message": config.message,
    }
    if failed and (config.fail_on_any or len(failed) == len(results)):
        nothing_sent = len(failed) == len(results)
        kinds = [r["kind"] for r in failed if r["kind"] in RETRYABLE]
        where = "; ".join(f"{r['connection'] or r['platform']}: {r['error']}" for r in failed)
        raise ActionFailed(
            f"share failed on {len(failed)} of {len(results)} platforms ({where})",
            kind=kinds[0] if nothing_sent and kinds else "error",
            output=output,
        )
    return output
