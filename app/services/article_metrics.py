"""An article's measured metrics over time, as its page charts them.

The samples are the ones `monitor` stores for the article (`metric_sample.article_id`):
`traffic.visitors`, `ranking.position`, … Each series is ordered by time; at most `LIMIT`
samples (the newest) are read, so a page for an article measured hourly for years stays light.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from app.db.engine import session_scope
from app.db.models import MetricSample
from app.services import articles
from app.services.actor import Actor

LIMIT = 5000


def article_metrics(actor: Actor, article_id: int) -> dict[str, Any]:
    """`{"article": {...}, "series": {name: [{"at", "value"}, …]}}` (names sorted)."""
    article = articles.get_article(actor, article_id)  # checks the role and that it exists
    with session_scope() as session:
        rows = session.exec(
            select(MetricSample.at, MetricSample.name, MetricSample.value)
            .where(MetricSample.article_id == article_id)
            .order_by(col(MetricSample.at).desc(), col(MetricSample.id).desc())
            .limit(LIMIT)
        ).all()
    series: dict[str, list[dict[str, Any]]] = {}
    for at, name, value in reversed(rows):
        series.setdefault(name, []).append({"at": at.isoformat(), "value": value})
    return {"article": article, "series": dict(sorted(series.items()))}
