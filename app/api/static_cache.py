"""Long browser caching for the frontend's fingerprinted files.

The production build names every script, style sheet and font under `/assets/` after a hash of
its content (`DynamicIcon-CwXvUWuh.js`), so a given URL never changes. Served without a
`Cache-Control`, a browser revalidates each of them on every new tab; marked immutable, a
second visit takes them from its cache. Pages (`/admin/...`) keep the default: they name the
current asset hashes and must be fetched fresh after an upgrade.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ASSET_PREFIX = "/assets/"
IMMUTABLE = b"public, max-age=31536000, immutable"


def is_fingerprinted(path: str) -> bool:
    """True for a file of the build's `/assets/` folder (never for the folder itself)."""
    return path.startswith(ASSET_PREFIX) and len(path) > len(ASSET_PREFIX) and ".." not in path


class ImmutableAssets:
    """Adds `Cache-Control: immutable` to successful GET/HEAD answers for `/assets/…`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in ("GET", "HEAD")
            or not is_fingerprinted(scope.get("path", ""))
        ):
            await self.app(scope, receive, send)
            return

        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"
                ]
                headers.append((b"cache-control", IMMUTABLE))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_cached)
