"""Request dependencies: who is calling."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from app.services.actor import Actor
from app.services.api_keys import authenticate_api_key


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def current_actor(request: Request) -> Actor:
    """The API key's actor, from `Authorization: Bearer <key>`."""
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer":
        key = ""
    return await run_in_threadpool(
        authenticate_api_key,
        key.strip(),
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
