"""`for_each`: its config (a list of items, one inner step, a concurrency) and its verdict. Pure.

The inner step is a step definition without an id or graph fields: it runs once per item with
`{{ item }}` and `{{ index }}` in its templates, under its own retry policy and timeout. Its
`config` is kept as written here (templates and all): the engine renders it per item, and
`app.core.workflow` validates it against its own type's model.

Outcome (what n8n and Airflow users expect): every item runs; the step fails once all ran if
any item failed, naming them ("2 of 1000 items failed: 3, 17"), unless the inner step has
`continue_on_error`, in which case a failed item's result is null and the step succeeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from app.core.config_models import ActionConfig, SpecModel, register_action_config
from app.core.retry import RetryPolicy

MAX_ITEMS = 10_000
DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 64
NAMED_FAILURES = 20  # item indexes spelled out in the step's error; the rest are counted

#: Step types that cannot run once per item, and why.
NOT_PER_ITEM: dict[str, str] = {
    "for_each": "a for_each step cannot run another for_each per item (one level only)",
    "approval": "an approval cannot run per item: put it before or after the for_each",
    "wait": "a wait cannot run per item: put it before or after the for_each",
    "sub_workflow": "a sub_workflow cannot run per item: put it before or after the for_each",
}


class ItemStatus(StrEnum):
    """What one item can be: a subset of the step statuses (same words, same badge colours).

    `pending` until it ends; `cancelled` when its step was stopped before it ended.
    """

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


def _is_template(value: str) -> bool:
    return "{{" in value or "{%" in value


class InnerStep(SpecModel):
    """The step run per item: a step definition without id, dependencies or trigger rule."""

    type: str = Field(min_length=1)
    name: str = Field("", max_length=200)
    config: dict[str, Any] = Field(default_factory=dict)
    condition: str | None = None
    retry: RetryPolicy | None = None
    timeout_s: float | None = Field(None, gt=0, le=3600)
    continue_on_error: bool = False

    @field_validator("type")
    @classmethod
    def _runs_per_item(cls, value: str) -> str:
        if value in NOT_PER_ITEM:
            raise ValueError(NOT_PER_ITEM[value])
        return value

    @field_validator("condition")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value if value and value.strip() else None


class ForEachConfig(ActionConfig):
    """`items`: a list, or a template giving one (`{{ steps.fetch.output.body.rows }}`)."""

    items: Any
    step: InnerStep
    concurrency: int = Field(DEFAULT_CONCURRENCY, ge=1, le=MAX_CONCURRENCY)

    @field_validator("items")
    @classmethod
    def _a_list(cls, value: Any) -> Any:
        if isinstance(value, list):
            if len(value) > MAX_ITEMS:
                raise ValueError(
                    f"a for_each takes at most {MAX_ITEMS:,} items; this list has {len(value):,}"
                )
            return value
        if isinstance(value, str) and _is_template(value):
            return value  # rendered by the engine, then checked again
        raise ValueError(
            "must be a list, or a template giving one such as {{ steps.fetch.output.body }};"
            f" got {_kind(value)}"
        )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, dict):
        return "an object"
    if callable(value):  # `{{ trigger.items }}` is the dict's method, not its "items" key
        return "a method: for a key named like one (items, keys, values) write x['items']"
    return type(value).__name__


def failure_message(failed: Sequence[int], total: int, first_error: str | None) -> str:
    """`2 of 1000 items failed: 3, 17 (item 3: HTTP 500 …)` — the indexes sorted, capped."""
    ordered = sorted(failed)
    named = ", ".join(str(index) for index in ordered[:NAMED_FAILURES])
    if len(ordered) > NAMED_FAILURES:
        named += f" and {len(ordered) - NAMED_FAILURES} more"
    noun = "item" if total == 1 else "items"
    message = f"{len(ordered)} of {total} {noun} failed: {named}"
    if first_error:
        message += f" (item {ordered[0]}: {first_error})"
    return message


register_action_config("for_each", ForEachConfig)
