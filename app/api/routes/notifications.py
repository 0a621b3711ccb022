"""The caller's in-app notifications over REST: list (with unread count), mark read.

Each API key sees only its own user's notifications; another user's id answers 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.params import NotificationId, Offset, limit_query
from app.api.schemas.ops import MarkedRead, Notification, NotificationPage
from app.services import notifications
from app.services.actor import Actor

router = APIRouter(prefix="/notifications", tags=["notifications"])

CurrentActor = Annotated[Actor, Depends(current_actor)]


@router.get(
    "",
    summary="My notifications, newest first, with the unread count",
    response_model=NotificationPage,
    responses=error_responses(401, 403, 422),
)
async def list_notifications(
    actor: CurrentActor,
    unread: Annotated[bool, Query(description="Only unread ones")] = False,
    limit: Annotated[int, limit_query(200)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    return await run_in_threadpool(
        notifications.list_notifications, actor, unread_only=unread, limit=limit, offset=offset
    )


@router.post(
    "/read-all",
    summary="Mark all my notifications read",
    response_model=MarkedRead,
    responses=error_responses(401, 403),
)
async def mark_all_read(actor: CurrentActor) -> dict[str, int]:
    return await run_in_threadpool(notifications.mark_all_read, actor)


@router.post(
    "/{notification_id}/read",
    summary="Mark one of my notifications read",
    response_model=Notification,
    responses=error_responses(401, 403, 404, 422),
)
async def mark_read(
    notification_id: NotificationId,
    actor: CurrentActor,
) -> dict[str, Any]:
    return await run_in_threadpool(notifications.mark_read, actor, notification_id)
