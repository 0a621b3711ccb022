"""The REST API, mounted under /api inside Reflex's backend."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from app.api.errors import install_error_handlers
from app.api.limits import BodySizeLimit
from app.api.routes import (
    alerts,
    articles,
    audit,
    auth,
    connections,
    executions,
    fallback,
    health,
    hooks,
    me,
    notifications,
    versions,
    workflows,
)
from app.db.settings import get_settings

API_ROUTERS: list[APIRouter] = [
    health.router,
    me.router,
    auth.router,
    workflows.router,
    executions.router,
    hooks.router,
    articles.router,
    versions.router,
    audit.router,
    connections.router,
    alerts.router,
    notifications.router,
]


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
    api.include_router(fallback.router, prefix="/api")  # last: answers unknown /api paths
    api.add_middleware(BodySizeLimit, max_bytes=get_settings().webhook_max_body_bytes)
    return api
