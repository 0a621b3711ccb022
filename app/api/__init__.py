"""The REST API, mounted under /api inside Reflex's backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI

from app.api.errors import install_error_handlers
from app.api.limits import BodySizeLimit, JsonDepthLimit
from app.api.routes import (
    alerts,
    analytics,
    approvals,
    articles,
    audit,
    audit_reports,
    auth,
    automation,
    bulk,
    connections,
    executions,
    fallback,
    health,
    hooks,
    incidents,
    me,
    notifications,
    orchestrations,
    original_002,
    original_004,
    retention,
    run_endpoints,
    step_items,
    template_help,
    templates,
    transfer,
    type_catalog,
    versions,
    workflows,
)
from app.api.static_cache import ImmutableAssets
from app.core.ids import MAX_ID
from app.db.settings import get_settings

API_ROUTERS: list[APIRouter] = [
    health.router,
    me.router,
    auth.router,
    bulk.router,  # before workflows: /workflows/bulk is no workflow id
    templates.router,
    type_catalog.router,
    workflows.router,
    template_help.router,
    transfer.router,
    executions.router,
    step_items.router,
    hooks.router,
    run_endpoints.router,
    articles.router,
    versions.router,
    audit.router,
    audit_reports.router,
    analytics.router,
    retention.router,
    connections.router,
    alerts.router,
    notifications.router,
    approvals.router,
    approvals.links,
    incidents.router,
    orchestrations.router,
    automation.router,
    original_002.router,  # the original documents' paths, served as written
    original_004.router,
]


def _exact_bounds(schema: Any) -> None:
    """Integer bounds as integers. Through `SkipValidation` FastAPI writes them as floats, and
    2^63-1 as a float is 2^63: more than SQLite holds, so a client (or a fuzzer) may send it."""
    if isinstance(schema, list):
        for item in schema:
            _exact_bounds(item)
    elif isinstance(schema, dict):
        if schema.get("type") == "integer":
            for key in ("minimum", "maximum"):
                if isinstance(schema.get(key), float):
                    schema[key] = MAX_ID if schema[key] >= MAX_ID else int(schema[key])
        for value in schema.values():
            _exact_bounds(value)


def _with_exact_bounds(api: FastAPI) -> Callable[[], dict[str, Any]]:
    generate = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            _exact_bounds(generate())
        return api.openapi_schema  # type: ignore[return-value]

    return openapi


def create_api() -> FastAPI:
    api = FastAPI(
        title="Flowdeck API",
        version="0.1.0",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    install_error_handlers(api)
    for router in API_ROUTERS:
        api.include_router(router, prefix="/api")
    api.router.routes.append(fallback.route)  # last: answers unknown /api paths and methods
    api.openapi = _with_exact_bounds(api)  # type: ignore[method-assign]
    api.add_middleware(JsonDepthLimit)  # inside the size limit: the body it reads is bounded
    api.add_middleware(BodySizeLimit, max_bytes=get_settings().webhook_max_body_bytes)
    api.add_middleware(ImmutableAssets)  # the frontend build is mounted inside this app
    return api
