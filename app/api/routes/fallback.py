"""Unknown /api paths answer in the API's error format, not with the web app's HTML."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.routing import Match

from app.api.errors import error_response

router = APIRouter(include_in_schema=False)

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@router.api_route("/{path:path}", methods=_METHODS)
async def unknown_endpoint(request: Request, path: str) -> JSONResponse:
    for route in request.app.routes:
        if getattr(route, "path", "") == "/api/{path:path}":
            continue
        match, _ = route.matches({**request.scope, "method": "GET"})
        methods = getattr(route, "methods", None)
        if match is not Match.NONE and methods and request.method not in methods:
            allowed = ", ".join(sorted(methods))
            return error_response(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed here; use {allowed}",
                headers={"Allow": allowed},
            )
    return error_response(404, "not_found", f"no API endpoint at /api/{path}")
