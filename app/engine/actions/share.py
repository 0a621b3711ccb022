"""`share`: post to several platforms at once and report each of them by name.

`message` is optional and usually a template (rendered before the action runs), e.g. `"New:
{{ steps.publish.output.title }}"`. Without it the post is built from the article (the
config's `article`, else the trigger's): its title, its link (`FLOWDECK_SITE_URL` +
`/articles/{slug}`) and hashtags from its tags. Each social platform gets the post fitted to
its length and format (`app.core.social_text`): Mastodon, Discord, Teams, X, LinkedIn,
Bluesky. Slack gets `{"text"}`, Telegram a `sendMessage` to the connection's default chat,
n8n / Zapier / http webhooks JSON `{"message", "article", …}`.

`connections` names connections by id or name; `platforms` (the original document's form,
`["twitter", "telegram", "linkedin"]`; `twitter` means `x`) adds every connection of those
platforms. A platform with no connection is reported by name (`twitter: no connection`) and the
others still get the post. The step fails when nothing went out, or when anything failed and
`fail_on_any` is set. Retrying is only offered (failure kind of the first retryable error)
when nothing went out: a retry after a partial success would post twice on the platforms that
already have it. Mastodon also gets an idempotency key per execution, step and connection.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from app.core.config_models import ActionConfig
from app.core.errors import FlowdeckError, NotFound, ValidationFailed
from app.engine.actions import StepContext, action
from app.engine.actions.share_targets import (
    Shared,
    Target,
    targets,
    unknown_platform,
    what_to_share,
)
from app.engine.content import read_article, target_article_id
from app.engine.failures import ActionFailed
from app.engine.messaging import ConnectionRef, Delivery, load, post_message, post_social
from app.integrations import social
from app.integrations.credentials import record_use

RETRYABLE = ("http_429", "http_5xx", "timeout", "connection")
ARTICLE_FIELDS = ("id", "title", "slug", "meta_description", "tags", "status", "published_at")
NO_MESSAGE = (
    "nothing to share: give a message, or run the step on an article (the trigger's or the "
    "config's `article`) so that one is built from its title, link and tags"
)


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class ShareConfig(ActionConfig):
    """Where to post (connections and/or whole platforms), what, and how strict to be."""

    connections: list[ConnectionRef] = Field(default_factory=list, max_length=50)
    platforms: list[str] = Field(default_factory=list, max_length=20)
    #: Empty: built from the article (title, link, hashtags), fitted to each platform.
    message: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(None, max_length=40_000)
    fail_on_any: bool = False
    article: int | None = Field(None, ge=1)  # sent to webhooks; default: the trigger's
    timeout_s: float = Field(30.0, gt=0, le=300)

    @field_validator("platforms")
    @classmethod
    def _known(cls, names: list[str]) -> list[str]:
        problems = [p for p in (unknown_platform(n) for n in names) if p]
        if problems:
            raise ValueError("; ".join(problems))
        return names

    @model_validator(mode="after")
    def _somewhere(self) -> ShareConfig:
        if not self.connections and not self.platforms:
            raise ValueError("name at least one connection (or platform) to share on")
        return self


def _article_summary(config: ShareConfig, trigger: dict[str, Any]) -> dict[str, Any] | None:
    try:
        article_id = target_article_id(config.article, trigger)
    except ValidationFailed:  # sharing needs no article when there is a message
        return None
    try:
        article = read_article(article_id)
    except NotFound:
        if config.article is not None:
            raise
        return None
    return {key: article[key] for key in ARTICLE_FIELDS}


def _failure(target: Target, error: str) -> dict[str, Any]:
    return {"connection": target.ref, "platform": target.word, "ok": False, "status": None,
            "error": error, "kind": "error"}  # fmt: skip


async def _send_one(
    step: StepContext, target: Target, shared: Shared, data: dict[str, Any], timeout_s: float
) -> dict[str, Any]:
    try:
        conn = await load(target.ref)
    except FlowdeckError as exc:  # missing, or credentials that cannot be read
        return _failure(target, exc.message)
    step.secrets.extend(v for v in conn.secret_values() if v not in step.secrets)
    delivery: Delivery
    if conn.platform in social.POSTERS:
        key = f"flowdeck-{step.execution_id}-{step.action_id}-{conn.id}"
        delivery = await post_social(conn, shared.post, key=key, timeout_s=timeout_s)
    else:
        delivery = await post_message(conn, shared.text, data, timeout_s=timeout_s)
    await asyncio.to_thread(record_use, conn.id)
    result = {"connection": conn.name, "connection_id": conn.id,
              "platform": target.word or conn.platform, **delivery.as_dict()}  # fmt: skip
    if delivery.ok and "text" not in result:
        result["text"] = shared.text
    return result


def _line(result: dict[str, Any], word: str | None) -> str:
    """`team-slack: posted`, `mastodon (toots): posted <url>`, `twitter: no connection`."""
    name = result.get("connection")
    where = f"{word} ({name})" if word and name is not None else str(name if name else word)
    if result["ok"]:
        return f"{where}: posted" + (f" {result['url']}" if result.get("url") else "")
    return f"{where}: {result['error']}"


@action("share", ShareConfig, "Post to X, LinkedIn, Mastodon, Bluesky, Discord, Teams, Slack…")
async def run(step: StepContext, config: ShareConfig) -> dict[str, Any]:
    trigger = step.context.get("trigger") or {}
    article = await asyncio.to_thread(_article_summary, config, trigger)
    shared = what_to_share(config.message, article)
    if shared is None:
        raise ActionFailed(NO_MESSAGE, kind="error")
    data = {"article": article, "workflow_id": step.workflow_id, "execution_id": step.execution_id}
    found, missing = await asyncio.to_thread(targets, list(config.connections), config.platforms)
    results = list(
        await asyncio.gather(*(_send_one(step, t, shared, data, config.timeout_s) for t in found))
    )
    results += [
        {"connection": None, "platform": word, "ok": False, "status": None,
         "error": "no connection", "kind": "error"}
        for word in missing
    ]  # fmt: skip
    words = [t.word for t in found] + missing
    failed = [r for r in results if not r["ok"]]
    sent = len(results) - len(failed)
    output = {  # the one-line summary first: it is what the execution page shows on top
        "summary": [_line(r, w) for r, w in zip(results, words, strict=True)],
        "sent": sent,
        "failed": len(failed) - len(missing),  # tried and failed; not_connected: never tried
        "not_connected": missing,
        "message": shared.text,
        "default_message": shared.default,
        "results": results,
    }
    if failed and (config.fail_on_any or sent == 0):
        kinds = [r["kind"] for r in failed if r["kind"] in RETRYABLE]
        raise ActionFailed(
            f"share failed on {len(failed)} of {len(results)} platforms "
            f"({'; '.join(output['summary'][i] for i, r in enumerate(results) if not r['ok'])})",
            kind=kinds[0] if sent == 0 and kinds else "error",
            output=output,
        )
    return output
