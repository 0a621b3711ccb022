"""Limits on request bodies: a size limit that answers 413 before reading an oversized body,
and a nesting limit that answers 422 before anything parses a JSON body nested too deeply."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.json_depth import MAX_JSON_DEPTH, nests_deeper_than


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
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if (
            scope["type"] != "http"
            or not scope.get("path", "").startswith("/api")
            or b"json" not in content_type.lower()
        ):
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
