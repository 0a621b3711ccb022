"""Answers of `POST /api/run/{slug}` (the `api_endpoint` trigger)."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas import JsonObject, Out


class EndpointResult(Out):
    """The run ended `succeeded` within the trigger's timeout."""

    execution_id: int
    status: str
    outputs: JsonObject = Field(description="Each step's stored output, by step id")


class EndpointPending(Out):
    """The run was still going when the trigger's timeout passed."""

    execution_id: int
    status: str
    status_url: str = Field(description="Where to follow the run (GET, with the same key)")
