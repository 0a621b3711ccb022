"""`monitor`: measure URLs and JSON APIs, keep the numbers as `MetricSample` rows, check limits.

Each URL (from `urls`, and every URL `json_paths` reads from; each fetched once) is measured:
`status`, `latency_ms` (until the whole body was read), `size_bytes` and `up` (1 for an
answer below 400, else 0). `json_paths` maps a name to `"URL|$.path.to.value"`: the number at
that path of the URL's JSON answer (see `app.core.metrics`; never evaluated as code).

Every measured value becomes a `MetricSample` (name, source URL, value, workflow, execution),
drawn as charts later. The step then fails, after storing the samples, when a URL could not be
reached (kind `connection` / `timeout`, so a retry policy can try again), when a path finds no
number (kind `error`), or when a value is outside its `thresholds` entry `{"max", "min"}`
(kind `error`). A threshold on `status`, `latency_ms`, `size_bytes` or `up` applies to every URL.

`metrics` (the original document's `["ranking", "traffic", "engagement"]`) measures those for
the article the workflow is about (`article`, else the trigger's `article_id`) through metric
source connections over the last `window_days` days (default 7; see `monitor_metrics`):
samples `ranking.position`, `ranking.clicks`, `ranking.impressions`, `ranking.ctr`,
`traffic.visitors`, `traffic.pageviews`, `engagement.bounce_rate` (%) and
`engagement.visit_duration` (s), stored with the article's id and its page URL as source, and
open to `thresholds` like any other value. A metric no connected source can measure is named
in the output's `metrics.note` ("no metrics source for ranking: add one under Connections");
when nothing at all is left to measure the step ends `skipped` with that reason (saving such
a workflow answers it as a warning). A source that refuses or cannot be reached fails the step
like an unreachable URL (429 / 5xx / network kinds are retryable).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.core.config_models import ActionConfig
from app.core.errors import FlowdeckError
from app.core.metrics import (
    PathError,
    as_number,
    breaches,
    parse_path,
    pick,
    sample_names,
    split_source,
)
from app.db.engine import session_scope
from app.db.models import MetricSample
from app.engine.actions import Skip, StepContext, action
from app.engine.actions.monitor_metrics import MetricsRead, read_metrics
from app.engine.failures import ActionFailed
from app.engine.http import outbound_client
from app.engine.messaging import ConnectionRef

URL_METRICS = ("status", "latency_ms", "size_bytes", "up")
MAX_JSON_BYTES = 5_000_000  # a larger body is measured, but not parsed


class Threshold(BaseModel):
    """Inclusive bounds; at least one."""

    model_config = ConfigDict(extra="forbid")

    max: float | None = Field(None, allow_inf_nan=False)
    min: float | None = Field(None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if self.max is None and self.min is None:
            raise ValueError("give max, min or both")
        if self.max is not None and self.min is not None and self.min > self.max:
            raise ValueError("min is above max")
        return self


def _http_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{url[:80]!r} must start with http:// or https://")
    return url


class MonitorConfig(ActionConfig):
    """What to measure and the limits that fail the step."""

    metrics: list[Literal["ranking", "traffic", "engagement"]] = Field(
        default_factory=list, max_length=3
    )
    article: int | None = Field(None, ge=1)  # whose page the metrics are about
    sources: list[ConnectionRef] = Field(default_factory=list, max_length=10)
    window_days: int = Field(7, ge=1, le=90)
    urls: list[str] = Field(default_factory=list, max_length=50)
    json_paths: dict[str, str] = Field(default_factory=dict, max_length=100)
    thresholds: dict[str, Threshold] = Field(default_factory=dict)
    timeout_s: float = Field(30.0, gt=0, le=300)

    @field_validator("urls")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        return [_http_url(u.strip()) for u in value]

    @field_validator("json_paths")
    @classmethod
    def _paths(cls, value: dict[str, str]) -> dict[str, str]:
        for name, spec in value.items():
            if name in URL_METRICS or not name.strip() or len(name) > 200:
                raise ValueError(f"{name!r} cannot name a value (reserved, empty or too long)")
            try:
                url, path = split_source(spec)
                parse_path(path)
            except PathError as exc:
                raise ValueError(f"{name}: {exc}") from None
            _http_url(url)
        return value

    @model_validator(mode="after")
    def _known_names(self) -> MonitorConfig:
        if not self.urls and not self.json_paths and not self.metrics:
            raise ValueError("give metrics, urls or json_paths to measure")
        named = [*URL_METRICS, *self.json_paths, *sample_names(self.metrics)]
        unknown = sorted(set(self.thresholds) - set(named))
        if unknown:
            known = ", ".join(named)
            raise ValueError(f"thresholds for unknown values {unknown}; known: {known}")
        return self


@dataclass
class Measure:
    url: str
    status: int | None = None
    latency_ms: float | None = None
    size_bytes: int | None = None
    error: str | None = None
    kind: str | None = None
    body: Any = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        up = 1 if self.status is not None and self.status < 400 else 0
        return {
            "url": self.url,
            "status": self.status,
            "latency_ms": self.latency_ms,
            "size_bytes": self.size_bytes,
            "up": up,
            "error": self.error,
        }


async def _measure(client: httpx.AsyncClient, url: str, timeout_s: float) -> Measure:
    measure = Measure(url)
    started = time.perf_counter()
    try:
        async with client.stream("GET", url) as response:
            kept, size = bytearray(), 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size <= MAX_JSON_BYTES:
                    kept += chunk
        measure.status, measure.size_bytes = response.status_code, size
        measure.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        if size <= MAX_JSON_BYTES:
            with contextlib.suppress(ValueError):
                measure.body = json.loads(bytes(kept))
    except httpx.TimeoutException:
        measure.error, measure.kind = f"no answer within {timeout_s:g} s", "timeout"
    except httpx.TransportError as exc:
        measure.error, measure.kind = f"unreachable: {exc.__class__.__name__}", "connection"
    except FlowdeckError as exc:  # the outbound address guard
        measure.error, measure.kind = exc.message, "error"
    return measure


RETRYABLE = ("timeout", "connection", "http_429", "http_5xx")
Row = tuple[str, float, str]  # name, value, source (a URL)


def _write_samples(
    rows: list[Row], article_rows: list[Row], article_id: int | None, step: StepContext
) -> None:
    with session_scope() as session:
        session.add_all(
            MetricSample(
                name=name,
                source=source[:1000],
                value=value,
                workflow_id=step.workflow_id,
                execution_id=step.execution_id,
                article_id=article_id if about_article else None,
            )
            for about_article, part in ((False, rows), (True, article_rows))
            for name, value, source in part
        )


@dataclass
class UrlsRead:
    measures: list[Measure]
    rows: list[Row] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)


async def _read_urls(config: MonitorConfig) -> UrlsRead:
    sources = {name: split_source(spec) for name, spec in config.json_paths.items()}
    urls = list(dict.fromkeys([*config.urls, *(url for url, _ in sources.values())]))
    async with outbound_client(timeout=config.timeout_s, follow_redirects=True) as client:
        measures = await asyncio.gather(*(_measure(client, u, config.timeout_s) for u in urls))
    read = UrlsRead(list(measures))
    by_url = {m.url: m for m in measures}
    for measure in measures:
        if measure.error is None:
            facts = measure.as_dict()
            read.rows += [(name, float(facts[name]), measure.url) for name in URL_METRICS]
        else:
            read.rows.append(("up", 0.0, measure.url))
            read.problems.append(f"{measure.url}: {measure.error}")
            read.kinds.append(measure.kind or "error")
    for name, (url, path) in sources.items():
        measure = by_url[url]
        if measure.error is not None:
            continue
        try:
            read.values[name] = as_number(pick(measure.body, path))
        except (PathError, ValueError) as exc:
            read.problems.append(f"{name}: {exc} in the answer of {url}")
            read.kinds.append("error")
            continue
        read.rows.append((name, read.values[name], url))
    return read


@action("monitor", MonitorConfig, "Measure metrics, URLs and JSON values; fail on thresholds")
async def run(step: StepContext, config: MonitorConfig) -> dict[str, Any] | Skip:
    metrics = MetricsRead()
    if config.metrics:
        metrics = await read_metrics(
            step,
            list(config.metrics),
            refs=list(config.sources),
            article=config.article,
            days=config.window_days,
            timeout_s=config.timeout_s,
        )
    if not config.urls and not config.json_paths and not metrics.page:
        return Skip(metrics.reason, {"metrics": metrics.as_dict(), "samples": 0})
    urls = await _read_urls(config) if config.urls or config.json_paths else UrlsRead([])
    article_rows = [(name, value, metrics.page or "") for name, value in metrics.values.items()]
    await asyncio.to_thread(_write_samples, urls.rows, article_rows, metrics.article_id, step)
    limits = {name: t.model_dump() for name, t in config.thresholds.items()}
    found = breaches([*urls.rows, *article_rows], limits)
    output: dict[str, Any] = {
        "values": {**urls.values, **metrics.values},
        "urls": [m.as_dict() for m in urls.measures],
        "samples": len(urls.rows) + len(article_rows),
        "breaches": [b.message for b in found],
    }
    if config.metrics:
        output["metrics"] = metrics.as_dict()
    problems, kinds = [*urls.problems, *metrics.problems], [*urls.kinds, *metrics.kinds]
    if problems:
        retryable = [k for k in kinds if k in RETRYABLE]
        raise ActionFailed(
            "monitor could not measure " + "; ".join(problems),
            kind=retryable[0] if len(retryable) == len(problems) else "error",
            output=output,
        )
    if found:
        raise ActionFailed("threshold breached: " + "; ".join(output["breaches"]), output=output)
    return output
