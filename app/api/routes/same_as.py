"""Serving an existing endpoint under another path (the original documents' paths).

`same_as(router, path, endpoint)` registers `endpoint` — a function of one of Flowdeck's own
routes — again at `path`, with the same method, status, response model, errors and
documentation, tagged "original paths". Nothing is copied: both paths run the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

ORIGINAL_TAG = "original paths"


def _route_of(endpoint: Callable[..., Any], sources: list[APIRouter]) -> APIRoute:
    for source in sources:
        for route in source.routes:
            if isinstance(route, APIRoute) and route.endpoint is endpoint:
                return route
    raise LookupError(f"{endpoint.__qualname__} is no route of the given routers")


def same_as(
    router: APIRouter,
    path: str,
    endpoint: Callable[..., Any],
    *sources: APIRouter,
    summary: str | None = None,
) -> None:
    """Serve `endpoint` (a route of one of `sources`) at `path` of `router` as well."""
    route = _route_of(endpoint, list(sources))
    router.add_api_route(
        path,
        endpoint,
        methods=sorted(route.methods),
        status_code=route.status_code,
        summary=summary or route.summary,
        description=route.description,
        response_model=route.response_model,
        response_model_exclude_unset=route.response_model_exclude_unset,
        response_model_exclude_none=route.response_model_exclude_none,
        response_class=route.response_class,
        responses=route.responses,
        openapi_extra=route.openapi_extra,
        tags=[] if ORIGINAL_TAG in router.tags else [ORIGINAL_TAG],
    )
