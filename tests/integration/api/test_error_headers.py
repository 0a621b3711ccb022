"""The shared error handler: a 429 always says when to come back, a 401 names the scheme."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from app.api.errors import install_error_handlers
from app.core.errors import AuthenticationFailed, RateLimited


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/slow-down/{seconds}")
    async def slow_down(seconds: int) -> None:
        raise RateLimited(
            "too many attempts", details={"retry_after": seconds} if seconds else None
        )

    @app.get("/who")
    async def who() -> None:
        raise AuthenticationFailed("the API key is not valid")

    return app


@pytest.mark.parametrize(("seconds", "header"), [(7, "7"), (0, "1")])
async def test_429_carries_retry_after(seconds: int, header: str) -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get(f"/slow-down/{seconds}")
    assert response.status_code == 429
    assert response.headers["retry-after"] == header
    assert response.json()["error"]["code"] == "rate_limited"


async def test_401_names_the_bearer_scheme() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/who")
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
