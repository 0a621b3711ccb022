"""`api_call`: one HTTP request; the response is parsed as JSON when it is JSON."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from app.core.config_models import ApiCallConfig
from app.engine.actions import StepContext, action
from app.engine.failures import ActionFailed
from app.engine.http import outbound_client

MAX_BODY_CHARS = 1_000_000


def _kind_for(status: int) -> str:
    if status == 429:
        return "http_429"
    return "http_5xx" if status >= 500 else "error"


@action("api_call", ApiCallConfig, "Call an HTTP API")
async def run(step: StepContext, config: ApiCallConfig) -> dict[str, Any]:
    started = time.perf_counter()
    async with outbound_client(timeout=config.timeout_s) as client:
        response = await client.request(
            config.method,
            config.url,
            params=config.query or None,
            headers=config.headers or None,
            json=config.json_ if config.json_ is not None else None,
            content=config.body.encode() if config.body is not None else None,
        )
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    body: Any = response.text[:MAX_BODY_CHARS]
    if "json" in response.headers.get("content-type", ""):
        with contextlib.suppress(ValueError):
            body = response.json()
    output = {
        "status": response.status_code,
        "headers": dict(response.headers),
        "body": body,
        "elapsed_ms": elapsed_ms,
    }
    ok = (
        response.status_code in config.expected_status
        if config.expected_status
        else response.is_success
    )
    if not ok:
        raise ActionFailed(
            f"{config.method} {config.url} answered {response.status_code}",
            kind=_kind_for(response.status_code),
            output=output,
        )
    return output
