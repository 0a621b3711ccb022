"""`api_call`: one HTTP request; the response is parsed as JSON when it is JSON.

With `connection` (an id or a name) the URL is a path on the connection's base URL and the
request is authenticated by the connection. The credentials are added here, inside the action,
after the runner stored the rendered input, so they never reach the stored step input; their
values are handed to the runner (`step.secrets`) to be masked in the stored output and errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from app.core.config_models import ApiCallConfig
from app.core.errors import NotFound
from app.engine.actions import StepContext, action
from app.engine.failures import ActionFailed
from app.engine.http import outbound_client
from app.integrations.credentials import load_connection, record_use

MAX_BODY_CHARS = 1_000_000


def _kind_for(status: int) -> str:
    if status == 429:
        return "http_429"
    return "http_5xx" if status >= 500 else "error"


@action("api_call", ApiCallConfig, "Call an HTTP API")
async def run(step: StepContext, config: ApiCallConfig) -> dict[str, Any]:
    url, headers, connection_id = config.url, dict(config.headers), None
    if config.connection is not None:
        try:
            connection = await asyncio.to_thread(load_connection, config.connection)
        except NotFound:  # say what to add: the connection gives the path its base URL
            raise ActionFailed(
                f"connection {config.connection!r} does not exist: add an HTTP API connection "
                f"named {config.connection!r} under Connections ({config.url} is called on its "
                "base URL)"
            ) from None
        step.secrets.extend(v for v in connection.secret_values() if v not in step.secrets)
        url = connection.url_for(config.url)
        headers.update(connection.auth_headers())
        connection_id = connection.id
    started = time.perf_counter()
    try:
        async with outbound_client(timeout=config.timeout_s) as client:
            response = await client.request(
                config.method,
                url,
                params=config.query or None,
                headers=headers or None,
                json=config.json_ if config.json_ is not None else None,
                content=config.body.encode() if config.body is not None else None,
            )
    finally:
        if connection_id is not None:
            await asyncio.to_thread(record_use, connection_id)
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
