"""Limits on requests: a size limit that answers 413 before reading an oversized body, a
nesting limit that answers 422 before anything parses a JSON body nested too deeply, and a
422 for text holding a NUL character (in the address, the query or a JSON body): PostgreSQL
cannot store it, so it is refused the same way on every database (`app.core.portable`)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.json_depth import MAX_JSON_DEPTH, nests_deeper_than
from app.core.portable import NUL, nul_path

_JSON_NUL = b"\\u0000"  # how a JSON text writes a NUL character inside a string


class BodySizeLimit:
    """Refuses `/api` requests whose body is larger than `max_bytes`, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/api"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await _too_large(send, self.max_bytes)


class JsonDepthLimit:
    """Refuses `/api` JSON bodies nested deeper than `MAX_JSON_DEPTH` with a 422.

    The body is already bounded by `BodySizeLimit` (outside this one); it is read here, checked
    in one linear scan, and handed on unchanged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/api"):
            await self.app(scope, receive, send)
            return
        where = _nul_in_address(scope)
        if where is not None:
            await _send_json(send, 422, _has_nul(where))
            return
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if b"json" not in content_type.lower():
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if nests_deeper_than(body):
            await _send_json(send, 422, _too_deep())
            return
        if _JSON_NUL in body and (where := _nul_in_json(body)) is not None:
            await _send_json(send, 422, _has_nul(where))
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body}], receive), send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A `receive` that gives `messages` first, then whatever `then` gives."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return replay


def _nul_in_address(scope: Scope) -> str | None:
    """ "path" or the query parameter's name if the address holds a NUL character."""
    if NUL in scope.get("path", ""):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    if "%00" not in query and NUL not in query:
        return None
    for key, value in parse_qsl(query, keep_blank_values=True):
        if NUL in key or NUL in value:
            return key.replace(NUL, "\\u0000")
    return None


def _nul_in_json(body: bytes) -> str | None:
    """Where a JSON body holds text with a NUL character ("" for the body itself)."""
    try:
        value: Any = json.loads(body)
    except ValueError:  # not JSON: the route answers that
        return None
    return nul_path(value)


def _has_nul(path: str) -> dict:
    problem = "must not contain the NUL character (\\u0000)"
    where = f"{path}: " if path else ""
    return {
        "error": {
            "code": "validation_failed",
            "message": f"{where}{problem}",
            "details": [{"path": path, "message": problem}],
        }
    }


def _too_deep() -> dict:
    problem = f"nested more than {MAX_JSON_DEPTH} levels deep"
    return {
        "error": {
            "code": "validation_failed",
            "message": f"the JSON body is {problem}",
            "details": [{"path": "", "message": problem}],
        }
    }


class _TooLarge(HTTPException):
    """An HTTPException so that FastAPI's body reader lets it through as a 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"the request body is larger than {max_bytes} bytes")
        self.details = {"max_bytes": max_bytes}


async def _too_large(send: Send, max_bytes: int) -> None:
    message = f"the request body is larger than {max_bytes} bytes"
    error = {"code": "payload_too_large", "message": message, "details": {"max_bytes": max_bytes}}
    await _send_json(send, 413, {"error": error})


async def _send_json(send: Send, status: int, content: dict) -> None:
    body = json.dumps(content).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
