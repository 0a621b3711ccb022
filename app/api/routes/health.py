"""GET /api/health: is the database reachable, is the scheduler running, which version."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.db.engine import check_database
from app.engine import health

router = APIRouter(tags=["health"])


def _version() -> str:
    try:
        return version("flowdeck")
    except PackageNotFoundError:
        return "0.0.0+local"


@router.get("/health", summary="Health of the database and the scheduler")
async def get_health() -> JSONResponse:
    db_error = await run_in_threadpool(check_database)
    scheduler = health.scheduler_state()
    ok = db_error is None and scheduler != "stopped"
    body = {
        "status": "ok" if ok else "degraded",
        "database": "ok" if db_error is None else db_error,
        "scheduler": scheduler,
        "version": _version(),
    }
    return JSONResponse(body, status_code=200 if ok else 503)
