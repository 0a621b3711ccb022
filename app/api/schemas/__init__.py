"""Response models: the JSON each route returns, as published in the OpenAPI document.

Every model allows extra keys (`additionalProperties: true`), so a field added later does
not break a response; the declared ones are what clients can rely on. Times are ISO 8601
strings as the services write them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

Num = int | float  # a whole number stays one in the JSON
Time = str | None  # ISO 8601, null when it has not happened


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class Deleted(Out):
    """Answer of the prune."""

    deleted: int


JsonObject = dict[str, Any]
