"""Unknown /api paths and methods answer in the API's error format, not with the web app's HTML.

`OPTIONS` on any API path answers 204 with `Allow` naming the path's methods; another method
the path does not take answers 405 with the same `Allow` header.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.routing import Match, Mount

from app.api.errors import error_response

router = APIRouter(include_in_schema=False)

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
        if getattr(route, "original_router", None) is router or (
            getattr(route, "path", None) == "/api/{path:path}"
        ):
            continue
        for method in _METHODS:
            match, _ = route.matches({**request.scope, "method": method})
            if match is Match.FULL:
                allowed.add(method)
    return sorted(allowed | {"OPTIONS"}) if allowed else []


@router.api_route("/{path:path}", methods=_METHODS)
async def unknown_endpoint(request: Request, path: str) -> Response:
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
