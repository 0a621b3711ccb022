"""The requests metric sources are sent and the numbers read from their answers. Pure.

Samples are named `<metric>.<value>` (see `app.core.metrics.METRIC_VALUES`):

- Plausible (Stats API v2, `POST /api/v2/query`): `visitors`, `pageviews` → `traffic.*`;
  `bounce_rate` (percent) and `visit_duration` (seconds, average per visit) → `engagement.*`,
  over the window's days, filtered on `event:page` is the article's path.
- Umami (`GET /api/websites/{id}/stats`): `pageviews`, `visitors` (`uniques` in Umami 1) →
  `traffic.*`; `engagement.bounce_rate` = bounces / visits × 100 and
  `engagement.visit_duration` = totaltime / visits (seconds), as Umami's own dashboard computes
  them; nothing for either when there were no visits. Umami 1 and 2 answer
  `{"pageviews": {"value": 5, "change"|"prev": …}, …}`, Umami 3 flat numbers
  (`{"pageviews": 5, …, "comparison": {…}}`): both are read.
- Search Console (`searchAnalytics.query`, dimension `page` equals the article's URL): `clicks`,
  `impressions`, `ctr` (0–1) and the average `position` → `ranking.*`. No row means nobody saw
  the page in search: clicks, impressions and ctr 0, and no position (there is none).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from app.core.metrics import as_number

PLAUSIBLE_METRICS: dict[str, tuple[str, ...]] = {
    "traffic": ("visitors", "pageviews"),
    "engagement": ("bounce_rate", "visit_duration"),
}


class AnswerError(ValueError):
    """An answer that does not have the shape the source's API documents."""


def plausible_query(
    site_id: str, page_path: str, metrics: list[str], first: date, last: date
) -> dict[str, Any]:
    """The Stats API v2 query body for the `metrics` (traffic, engagement) of one page."""
    names = [name for m in metrics for name in PLAUSIBLE_METRICS.get(m, ())]
    return {
        "site_id": site_id,
        "metrics": names,
        "date_range": [first.isoformat(), last.isoformat()],
        "filters": [["is", "event:page", [page_path]]],
    }


def plausible_values(query: Mapping[str, Any], answer: Any) -> dict[str, float]:
    """`{"traffic.visitors": 12.0, …}` from the answer to `query` (one result row, no dimension).

    No row (some versions answer none for a page without visits) is zeros.
    """
    names = list(query["metrics"])
    results = answer.get("results") if isinstance(answer, Mapping) else None
    if not isinstance(results, list):
        raise AnswerError("Plausible's answer has no `results` list")
    row = results[0].get("metrics") if results and isinstance(results[0], Mapping) else None
    if not results:
        row = [0] * len(names)
    if not isinstance(row, list) or len(row) != len(names):
        raise AnswerError(f"Plausible's result row does not hold the {len(names)} metrics asked")
    out: dict[str, float] = {}
    for name, value in zip(names, row, strict=True):
        kind = next(k for k, v in PLAUSIBLE_METRICS.items() if name in v)
        out[f"{kind}.{name}"] = _number(value, f"Plausible's {name}")
    return out


def _number(value: Any, what: str) -> float:
    if value is None:
        return 0.0
    try:
        return as_number(value)
    except ValueError as exc:
        raise AnswerError(f"{what}: {exc}") from None


def _umami_field(answer: Mapping[str, Any], *names: str) -> float | None:
    """A number Umami gives flat (3) or as `{"value": n}` (1, 2); the first name present."""
    for name in names:
        if name not in answer:
            continue
        value = answer[name]
        if isinstance(value, Mapping):
            value = value.get("value")
        return _number(value, f"Umami's {name}")
    return None


def umami_values(answer: Any, metrics: list[str]) -> dict[str, float]:
    """`{"traffic.pageviews": 30.0, …}` for the asked `metrics` from a stats answer."""
    if not isinstance(answer, Mapping):
        raise AnswerError("Umami's answer is not a JSON object")
    pageviews = _umami_field(answer, "pageviews")
    visitors = _umami_field(answer, "visitors", "uniques")
    if pageviews is None or visitors is None:
        raise AnswerError("Umami's answer has no pageviews or visitors")
    visits = _umami_field(answer, "visits")
    visits = visitors if visits is None else visits
    bounces = _umami_field(answer, "bounces") or 0.0
    totaltime = _umami_field(answer, "totaltime") or 0.0
    out: dict[str, float] = {}
    if "traffic" in metrics:
        out |= {"traffic.visitors": visitors, "traffic.pageviews": pageviews}
    if "engagement" in metrics and visits > 0:
        out["engagement.bounce_rate"] = round(min(bounces, visits) / visits * 100, 2)
        out["engagement.visit_duration"] = round(totaltime / visits, 2)
    return out


def search_console_query(page_url: str, first: date, last: date) -> dict[str, Any]:
    """The `searchAnalytics.query` body for one page's totals over the window."""
    return {
        "startDate": first.isoformat(),
        "endDate": last.isoformat(),
        "dimensions": ["page"],
        "dimensionFilterGroups": [
            {"filters": [{"dimension": "page", "operator": "equals", "expression": page_url}]}
        ],
        "rowLimit": 1,
    }


def search_console_values(answer: Any) -> dict[str, float]:
    """`{"ranking.position": 4.2, "ranking.clicks": 10.0, …}` from a query answer."""
    if not isinstance(answer, Mapping):
        raise AnswerError("Search Console's answer is not a JSON object")
    rows = answer.get("rows") or []
    if not isinstance(rows, list) or (rows and not isinstance(rows[0], Mapping)):
        raise AnswerError("Search Console's `rows` is not a list of rows")
    if not rows:
        return {"ranking.clicks": 0.0, "ranking.impressions": 0.0, "ranking.ctr": 0.0}
    row = rows[0]
    out = {
        f"ranking.{name}": _number(row.get(name), f"Search Console's {name}")
        for name in ("clicks", "impressions", "ctr")
    }
    if row.get("position") is not None:
        out["ranking.position"] = _number(row["position"], "Search Console's position")
    return out
