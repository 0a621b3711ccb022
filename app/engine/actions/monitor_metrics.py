"""The named metrics of `monitor` (`metrics: ["ranking", "traffic", "engagement"]`), read
through metric source connections for the article the workflow is about.

Which source serves which metric: `app.core.metrics.METRIC_SOURCES` (ranking: Search Console;
traffic and engagement: Plausible, else Umami), among the connections named in `sources`, or
else every connection of those platforms (the oldest of a platform first). The page is the
article's public URL (`app.core.article_links.article_url`, `FLOWDECK_SITE_URL`), read over the
last `window_days` days (UTC, today included). What each source stores is described in
`app.core.metric_answers`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import col, select

from app.core.article_links import article_url
from app.core.errors import FlowdeckError, NotFound, ValidationFailed
from app.core.metrics import SOURCE_PLATFORMS, look_back, no_source_reason, source_for, unserved
from app.db.engine import session_scope
from app.db.models import Connection
from app.db.settings import get_settings
from app.engine.actions import StepContext
from app.engine.content import read_article, target_article_id
from app.engine.failures import ActionFailed, classify, describe
from app.engine.http import outbound_client
from app.engine.messaging import ConnectionRef, load
from app.integrations import metric_sources
from app.integrations.credentials import find_row, record_use
from app.integrations.metric_sources.reading import Page, Reading


@dataclass
class MetricsRead:
    """What the metrics part of a monitor step found."""

    missing: list[str] = field(default_factory=list)  # no source for these
    values: dict[str, float] = field(default_factory=dict)
    page: str | None = None
    article_id: int | None = None
    by_source: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return no_source_reason(self.missing) if self.missing else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "article_id": self.article_id,
            "values": self.values,
            "sources": self.by_source,
            "missing": self.missing,
            "note": self.reason or None,
        }


def _source_rows(refs: list[ConnectionRef]) -> list[tuple[int, str]]:
    """(id, platform) of the metric source connections to use, oldest first."""
    with session_scope() as session:
        if refs:
            rows = [find_row(session, ref) for ref in refs]
            return [(int(r.id or 0), r.platform) for r in rows if r.platform in SOURCE_PLATFORMS]
        found = session.exec(
            select(Connection.id, Connection.platform)
            .where(col(Connection.platform).in_(SOURCE_PLATFORMS))
            .order_by(col(Connection.id))
        ).all()
    return [(int(i or 0), p) for i, p in found]


def _page(article_id: int, days: int) -> tuple[int, Page]:
    article = read_article(article_id)
    url = article_url(get_settings().site_url, article["slug"])
    first, last = look_back(datetime.now(UTC).date(), days)
    return int(article["id"]), Page(url, urlsplit(url).path or "/", first, last)


async def _read_one(
    step: StepContext, conn_id: int, metrics: list[str], page: Page, timeout_s: float
) -> tuple[str, str, Reading]:
    try:
        conn = await load(conn_id)
    except FlowdeckError as exc:  # gone since, or its credentials cannot be read
        return str(conn_id), "?", Reading(False, error=exc.message, kind="error")
    step.secrets.extend(v for v in conn.secret_values() if v not in step.secrets)
    async with outbound_client(timeout=timeout_s) as client:
        try:
            reading = await metric_sources.MEASURERS[conn.platform](client, conn, page, metrics)
        except FlowdeckError as exc:  # the outbound address guard
            reading = Reading(False, error=exc.message, kind="error")
        except Exception as exc:  # timeouts and network errors, kinds as the retry policy says
            reading = Reading(False, error=describe(exc), kind=classify(exc))
    await asyncio.to_thread(record_use, conn.id)
    return conn.name, conn.platform, reading


async def read_metrics(
    step: StepContext,
    metrics: list[str],
    *,
    refs: list[ConnectionRef],
    article: int | None,
    days: int,
    timeout_s: float,
) -> MetricsRead:
    """Measure `metrics` for the step's article through the connected sources."""
    try:
        sources = await asyncio.to_thread(_source_rows, refs)
    except NotFound as exc:
        raise ActionFailed(f"sources: {exc.message}", kind="validation") from exc
    platforms = [platform for _, platform in sources]
    result = MetricsRead(missing=unserved(metrics, platforms))
    served = [m for m in dict.fromkeys(metrics) if m not in result.missing]
    if not served:
        return result
    try:
        article_id = target_article_id(article, step.context.get("trigger") or {})
        result.article_id, page = await asyncio.to_thread(_page, article_id, days)
    except (ValidationFailed, NotFound) as exc:
        message = f"metrics need the article: {exc.message}"
        raise ActionFailed(message, kind="validation", output=result.as_dict()) from exc
    result.page = page.url
    plan: dict[int, list[str]] = {}
    for metric in served:
        platform = source_for(metric, platforms)
        conn_id = next(i for i, p in sources if p == platform)
        plan.setdefault(conn_id, []).append(metric)
    readings = await asyncio.gather(
        *(_read_one(step, i, ms, page, timeout_s) for i, ms in plan.items())
    )
    for (name, platform, reading), metrics_read in zip(readings, plan.values(), strict=True):
        result.by_source.append(
            {"connection": name, "platform": platform, "metrics": metrics_read, **reading.as_dict()}
        )
        result.values |= reading.values
        if not reading.ok:
            result.problems.append(f"{name}: {reading.error}")
            result.kinds.append(reading.kind or "error")
    return result
