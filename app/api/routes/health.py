"""GET /api/health: database reachable, scheduler running, stored secrets readable, version."""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.api.schemas.ops import Health
from app.db.engine import check_database
from app.engine import health, leases
from app.integrations import keyring

router = APIRouter(tags=["health"])
log = logging.getLogger("flowdeck.api")


def _version() -> str:
    try:
        return version("flowdeck")
    except PackageNotFoundError:
        return "0.0.0+local"


@router.get(
    "/health",
    summary="Health of the database, the scheduler and stored secrets",
    response_model=Health,
    responses={503: {"model": Health, "description": "Degraded: the body says what is wrong"}},
)
async def get_health() -> JSONResponse:
    db_error = await run_in_threadpool(check_database)
    scheduler = health.scheduler_state()
    canary = keyring.canary_state()
    ok = db_error is None and scheduler != "stopped" and canary.healthy
    cluster = {"leader": "none", "processes": {}, "queue_depth": 0}
    if db_error is None:
        try:
            cluster = await run_in_threadpool(leases.cluster_snapshot, leases.current_id())
        except Exception:  # a schema not yet migrated: health still answers
            log.exception("could not read the cluster state")
    body = {
        "status": "ok" if ok else "degraded",
        "database": "ok" if db_error is None else db_error,
        "scheduler": scheduler,
        "secrets": canary.state if canary.healthy else canary.message,
        "version": _version(),
        "role": health.role(),
        **cluster,
    }
    return JSONResponse(body, status_code=200 if ok else 503)
