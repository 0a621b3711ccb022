"""The API as the running app serves it: Reflex mounts its web app at "" inside the API app."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from app.api import create_api


async def _web_app(scope: dict, receive: object, send: Any) -> None:
    """Stands in for the Reflex web app: any path outside the API's routes lands here."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"<html></html>"})


def deployed_api() -> FastAPI:
    """`create_api()` with the web-app mount `rx.App(api_transformer=...)` adds."""
    api = create_api()
    api.mount("", _web_app)
    return api
