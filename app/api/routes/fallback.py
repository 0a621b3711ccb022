"""Unknown /api paths and methods answer in the API's error format, not with the web app's HTML.

`OPTIONS` on any API path answers 204 with `Allow` naming the path's methods; another method
the path does not take answers 405 with the same `Allow` header.
"""

from __future__ import annotations

from fastapi import Request, Response
from starlette.routing import Match, Mount, Route
from starlette.types import Receive, Scope, Send

from app.api.errors import error_response

PATH = "/api/{path:path}"
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _allowed_methods(request: Request) -> list[str]:
    """Methods that some other API route accepts at this path, plus OPTIONS (answered here).

    Mounts do not count: Reflex mounts the whole web app at "" inside this API, and that mount
    matches every path and method.
    """
    allowed: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Mount):
            continue
        if getattr(route, "path", None) == PATH:
            continue
        for method in _METHODS:
            match, _ = route.matches({**request.scope, "method": method})
            if match is Match.FULL:
                allowed.add(method)
    return sorted(allowed | {"OPTIONS"}) if allowed else []


async def unknown_endpoint(request: Request) -> Response:
    path = request.path_params["path"]
    allowed = _allowed_methods(request)
    if not allowed:
        return error_response(404, "not_found", f"no API endpoint at /api/{path}")
    text = ", ".join(allowed)
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": text})
    return error_response(
        405,
        "method_not_allowed",
        f"{request.method} is not allowed here; use {text}",
        headers={"Allow": text},
    )


class _AnyMethod:
    """The fallback as a plain ASGI app: Starlette limits a function endpoint to GET/HEAD when
    it names no methods, an ASGI app takes every method (TRACE, … too), so nothing under /api
    falls through to the web app that Reflex mounts at "" behind the API's routes."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await unknown_endpoint(Request(scope, receive))
        await response(scope, receive, send)


route = Route(PATH, endpoint=_AnyMethod(), include_in_schema=False)
