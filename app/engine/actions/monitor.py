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
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.core.config_models import ActionConfig
from app.core.errors import FlowdeckError
from app.core.metrics import PathError, as_number, breaches, parse_path, pick, split_source
from app.db.engine import session_scope
from app.db.models import MetricSample
from app.engine.actions import StepContext, action
from app.engine.failures import ActionFailed
from app.engine.http import outbound_client

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
        if not self.urls and not self.json_paths:
            raise ValueError("give urls or json_paths to measure")
        unknown = sorted(set(self.thresholds) - set(self.json_paths) - set(URL_METRICS))
        if unknown:
            known = ", ".join([*URL_METRICS, *self.json_paths])
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


def _write_samples(rows: list[tuple[str, float, str]], workflow_id: int, execution_id: int) -> None:
    with session_scope() as session:
        session.add_all(
            MetricSample(
                name=name,
                source=source[:1000],
                value=value,
                workflow_id=workflow_id,
                execution_id=execution_id,
            )
            for name, value, source in rows
        )


@action("monitor", MonitorConfig, "Measure URLs and JSON values; fail on thresholds")
async def run(step: StepContext, config: MonitorConfig) -> dict[str, Any]:
    sources = {name: split_source(spec) for name, spec in config.json_paths.items()}
    urls = list(dict.fromkeys([*config.urls, *(url for url, _ in sources.values())]))
    async with outbound_client(timeout=config.timeout_s, follow_redirects=True) as client:
        measures = await asyncio.gather(*(_measure(client, u, config.timeout_s) for u in urls))
    by_url = {m.url: m for m in measures}
    rows: list[tuple[str, float, str]] = []
    problems: list[str] = []
    for measure in measures:
        if measure.error is None:
            facts = measure.as_dict()
            rows += [(name, float(facts[name]), measure.url) for name in URL_METRICS]
        else:
            rows.append(("up", 0.0, measure.url))
            problems.append(f"{measure.url}: {measure.error}")
    values: dict[str, float] = {}
    for name, (url, path) in sources.items():
        measure = by_url[url]
        if measure.error is not None:
            continue
        try:
            values[name] = as_number(pick(measure.body, path))
        except (PathError, ValueError) as exc:
            problems.append(f"{name}: {exc} in the answer of {url}")
            continue
        rows.append((name, values[name], url))
    await asyncio.to_thread(_write_samples, rows, step.workflow_id, step.execution_id)
    limits = {name: t.model_dump() for name, t in config.thresholds.items()}
    found = breaches(rows, limits)
    output = {
        "values": values,
        "urls": [m.as_dict() for m in measures],
        "samples": len(rows),
        "breaches": [b.message for b in found],
    }
    if problems:
        kinds = [m.kind for m in measures if m.kind in ("timeout", "connection")]
        raise ActionFailed(
            "monitor could not measure " + "; ".join(problems),
            kind=kinds[0] if kinds and len(kinds) == len(problems) else "error",
            output=output,
        )
    if found:
        raise ActionFailed("threshold breached: " + "; ".join(output["breaches"]), output=output)
    return output
