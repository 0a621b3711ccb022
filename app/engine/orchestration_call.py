"""One call of an orchestration: render it, authenticate it, send it with its retries.

Rendering (the call's condition, url, query, headers and body) runs in a render thread under
one `RenderBudget` (`offload.render`), unless nothing in the call has template syntax or its
templates only look values up in small data (`app.core.template_shape`): those render in place. A
connection (id or name) is loaded in a thread; its URL is the base the call's URL joins, its
auth headers are added after rendering, and its secret values join the run's mask list.

Each attempt runs under the call's `timeout_s` and is recorded; a failed attempt is retried
when its policy says so (`app.core.retry.should_retry`), after `app.core.retry_after.
retry_delay` (a 429 or 503's `Retry-After` honoured, capped by `max_delay_s`).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from app.core.errors import FlowdeckError, InvalidInput
from app.core.orchestration import CallSpec, extract_all
from app.core.redact import SecretValues
from app.core.retry import RetryPolicy, should_retry
from app.core.retry_after import parse_retry_after, retry_delay
from app.core.sandbox import STEP_LOOP_ITERATIONS, STEP_OUTPUT, RenderBudget, RenderStopped
from app.core.template_shape import condition_lookup_only, lookup_only
from app.core.templates import evaluate_condition, render_value
from app.engine import offload
from app.engine.failures import ActionFailed, classify, describe
from app.engine.orchestration_records import CallAttempt, CallRecord
from app.integrations.credentials import ResolvedConnection, load_connection, record_use

MAX_RESPONSE_BYTES = 5_000_000  # read of one response; the rest is left unread
PARSE_IN_THREAD_BYTES = 256 * 1024  # bigger JSON bodies are parsed off the loop
_PARTS = ("url", "query", "headers", "body")


class CallFailed(ActionFailed):
    """An answer the call did not expect; carries the server's `Retry-After` (seconds)."""

    def __init__(self, message: str, *, kind: str, retry_after_s: float | None) -> None:
        super().__init__(message, kind=kind)
        self.retry_after_s = retry_after_s


@dataclass
class Prepared:
    """A rendered call (`parts`), or why it is skipped (`skip`) or cannot run (`error`)."""

    parts: dict[str, Any] = field(default_factory=dict)
    skip: str | None = None
    error: str | None = None


@dataclass
class CallEnv:
    """What every call of one run shares."""

    client: httpx.AsyncClient
    secrets: SecretValues
    clock: Callable[[], float]  # ms since the run started
    connections: dict[int | str, ResolvedConnection] = field(default_factory=dict)


def _has_template(value: Any) -> bool:
    if isinstance(value, str):
        return "{{" in value or "{%" in value or "{#" in value
    if isinstance(value, Mapping):
        return any(_has_template(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_template(item) for item in value)
    return False


def _budget(timeout_s: float) -> RenderBudget:
    return RenderBudget(
        loop_iterations=STEP_LOOP_ITERATIONS,
        output_chars=STEP_OUTPUT,
        deadline=time.monotonic() + timeout_s,
        clock=time.monotonic,
    )


def prepare(call: CallSpec, context: Mapping[str, Any], budget: RenderBudget) -> Prepared:
    """Evaluate the condition and render the call's parts (blocking: run it in a thread)."""
    if call.condition:
        try:
            if not evaluate_condition(call.condition, context, budget):
                return Prepared(skip=f"condition is false: {call.condition}")
        except FlowdeckError as exc:
            return Prepared(error=f"condition: {exc.message}")
    parts: dict[str, Any] = {}
    for part in _PARTS:
        try:
            parts[part] = render_value(getattr(call, part), context, budget)
        except FlowdeckError as exc:
            return Prepared(error=f"{part}: {exc.message}")
    return Prepared(parts=parts)


def _renders_in_place(call: CallSpec) -> bool:
    """Nothing to render, or only lookups (`{{ prev.token }}`): cheaper than a thread hop."""
    parts = [call.url, call.query, call.headers, call.body]
    if not call.condition and not _has_template(parts):
        return True
    return lookup_only(parts) and (not call.condition or condition_lookup_only(call.condition))


async def prepare_call(call: CallSpec, context: Mapping[str, Any], *, small: bool) -> Prepared:
    """`prepare` in a render thread under the call's timeout.

    On the loop instead when the call's templates only look values up and `small` says the
    data they can reach is small (a lookup copies the value it finds: a big one would hold
    the loop).
    """
    budget = _budget(call.timeout_s)
    if small and _renders_in_place(call):
        try:
            return prepare(call, context, budget)
        except RenderStopped:
            return Prepared(error=f"timed out after {call.timeout_s:g} s (rendering the call)")
    try:
        return await offload.render(lambda: prepare(call, context, budget), budget, call.timeout_s)
    except (TimeoutError, RenderStopped):
        return Prepared(error=f"timed out after {call.timeout_s:g} s (rendering the call)")


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    params: dict[str, Any] | None
    headers: dict[str, str]
    body: Any
    connection_id: int | None


async def _connection(ref: int | str, env: CallEnv) -> ResolvedConnection:
    connection = env.connections.get(ref)
    if connection is None:
        connection = await asyncio.to_thread(load_connection, ref)
        env.connections[ref] = connection
    env.secrets.extend(connection.secret_values())
    return connection


async def build_request(call: CallSpec, parts: Mapping[str, Any], env: CallEnv) -> Request:
    """The request to send: URL joined to the connection's base, auth headers added."""
    url, query, headers = parts["url"], parts["query"], parts["headers"]
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput("url: must render to a non-empty text")
    if not isinstance(query, Mapping) or not isinstance(headers, Mapping):
        raise InvalidInput("query and headers must render to objects")
    sent = {
        str(key): value if isinstance(value, str) else json.dumps(value)
        for key, value in headers.items()
    }
    connection_id = None
    if call.connection is not None:
        connection = await _connection(call.connection, env)
        url = connection.url_for(url)
        sent.update(connection.auth_headers())
        connection_id = connection.id
    elif not url.startswith(("http://", "https://")):
        raise InvalidInput(
            f"url: {url!r} must start with http:// or https:// (or set a connection)"
        )
    params = {str(k): _query_value(v) for k, v in query.items()} or None
    return Request(call.method, url, params, sent, parts["body"], connection_id)


def _query_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_query_value(item) for item in value]
    return json.dumps(value)


def _body_kwargs(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if isinstance(body, str):
        return {"content": body.encode()}
    return {"json": body}


def _kind_for(status: int) -> str:
    if status == 429:
        return "http_429"
    return "http_5xx" if status >= 500 else "error"


async def _read(response: httpx.Response) -> tuple[bytes, int, bool]:
    """(the body read, its size, whether more was left unread) within `MAX_RESPONSE_BYTES`."""
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            keep = len(chunk) - (size - MAX_RESPONSE_BYTES)
            chunks.append(chunk[:keep])
            return b"".join(chunks), size, True
        chunks.append(chunk)
    return b"".join(chunks), size, False


def _parse(data: bytes, content_type: str, encoding: str) -> Any:
    text = data.decode(encoding, errors="replace")
    if "json" in content_type:
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


async def _exchange(request: Request, call: CallSpec, env: CallEnv) -> dict[str, Any]:
    """Send once, read the answer; {status, headers, body, bytes, truncated}."""
    built = env.client.build_request(
        request.method,
        request.url,
        params=request.params,
        headers=request.headers or None,
        timeout=call.timeout_s,
        **_body_kwargs(request.body),
    )
    response = await env.client.send(built, stream=True)
    try:
        data, size, truncated = await _read(response)
    finally:
        await response.aclose()
    content_type = response.headers.get("content-type", "")
    encoding = response.encoding or "utf-8"
    if truncated:
        body: Any = data.decode(encoding, errors="replace")
    elif len(data) > PARSE_IN_THREAD_BYTES:
        body = await asyncio.to_thread(_parse, data, content_type, encoding)
    else:
        body = _parse(data, content_type, encoding)
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "body": body,
        "bytes": size,
        "truncated": truncated,
    }


def _accepted(call: CallSpec, status: int) -> bool:
    return status in call.expected_status if call.expected_status else 200 <= status < 300


async def _attempt(request: Request, call: CallSpec, record: CallRecord, env: CallEnv) -> None:
    """One try under the call's timeout, recorded in `record.attempts` whatever happens."""
    attempt = CallAttempt(number=len(record.attempts) + 1, start_ms=env.clock())
    record.attempts.append(attempt)
    record.status_code = record.response = record.response_bytes = None  # this attempt's, or none
    try:
        async with asyncio.timeout(call.timeout_s):
            answer = await _exchange(request, call, env)
        status = answer["status"]
        attempt.status_code = record.status_code = status
        record.response_bytes = answer["bytes"]
        record.response = {k: answer[k] for k in ("status", "headers", "body")}
        if not _accepted(call, status):
            retry_after = answer["headers"].get("retry-after")
            raise CallFailed(
                f"{call.method} {call.url} answered {status}",
                kind=_kind_for(status),
                retry_after_s=parse_retry_after(retry_after, datetime.now(UTC)),
            )
    except asyncio.CancelledError:
        attempt.error, attempt.kind = "cancelled", "cancelled"
        raise
    except Exception as exc:
        attempt.error, attempt.kind = describe(exc, call.timeout_s), classify(exc)
        raise
    finally:
        attempt.duration_ms = round(env.clock() - attempt.start_ms, 3)


async def send(
    request: Request, call: CallSpec, policy: RetryPolicy, record: CallRecord, env: CallEnv
) -> None:
    """Attempts until one is accepted or the policy gives up (the last error is raised)."""
    try:
        while True:
            try:
                await _attempt(request, call, record, env)
                return
            except Exception as exc:
                kind, number = classify(exc), len(record.attempts)
                if not should_retry(policy, number, kind):
                    raise
                retry_after = getattr(exc, "retry_after_s", None)
                await asyncio.sleep(retry_delay(policy, number, kind, retry_after, random.random()))
    finally:
        if request.connection_id is not None:
            await asyncio.to_thread(record_use, request.connection_id)


def extracted_from(call: CallSpec, record: CallRecord) -> dict[str, Any]:
    body = record.response.get("body") if record.response else None
    return extract_all(body, call.extract)
