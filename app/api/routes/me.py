"""Who am I, and my API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from app.api.deps import current_actor
from app.api.errors import error_responses
from app.api.schemas.ops import Me
from app.services.actor import Actor

router = APIRouter(tags=["account"])


@router.get(
    "/me", summary="The user behind the API key", response_model=Me, responses=error_responses(401)
)
async def get_me(actor: Annotated[Actor, Depends(current_actor)]) -> dict:
    return {
        "id": actor.user_id,
        "email": actor.email,
        "role": actor.role.value,
        "api_key_id": actor.api_key_id,
    }
