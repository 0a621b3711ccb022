"""A `for_each` step's items: the summary in the execution detail, and a page of them."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.api.schemas import Num, Out, Time


class StepItem(Out):
    index: int = Field(description="The item's position in the list, from 0")
    status: str = Field(description="pending, succeeded, failed, skipped or cancelled")
    attempts: int
    error: str | None
    started_at: Time
    duration_ms: Num | None


class StepItemWithOutput(StepItem):
    output: Any = Field(description="The inner step's result (masked, capped to 64 KiB)")


class StepItems(Out):
    """In the execution detail: bounded whatever the number of items."""

    total: int
    counts: dict[str, int] = Field(description="Items by status")
    items: list[StepItem] = Field(description="The first 200 items, in order, without outputs")
    more: bool = Field(description="More items than listed: page through them with /items")


class StepItemPage(Out):
    items: list[StepItemWithOutput]
    total: int = Field(description="Items matching the filter")
    offset: int
    limit: int
