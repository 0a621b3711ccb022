"""The stored copy of a step's data: secrets masked, then capped (see `app.core.stored_data`).

These wrap `store`'s writes and run on the writer thread with them, so that masking and
measuring a multi-megabyte output never happens on the event loop. The run keeps the full,
unmasked values in memory for its next steps; only what is written goes through `Masking`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from app.core.statuses import StepStatus
from app.core.stored_data import stored_error, stored_value
from app.engine import store


@dataclass(frozen=True)
class Masking:
    """What stored data goes through: these secret values masked, then `limit` bytes kept."""

    secrets: tuple[str, ...]
    limit: int

    def value(self, value: Any) -> Any:
        return stored_value(value, self.secrets, self.limit)

    def error(self, error: str | None) -> str | None:
        return stored_error(error, self.secrets, self.limit)


def step_started(step_id: int, rendered: Any, started_at: datetime, masking: Masking) -> None:
    store.step_started(step_id, masking.value(rendered), started_at)


def step_finished(
    step_id: int,
    status: StepStatus,
    masking: Masking,
    *,
    output: Any = None,
    rendered_input: Any = None,
    error: str | None = None,
    attempts: list[store.AttemptRecord] | None = None,
    **fields: Any,
) -> None:
    """`store.step_finished` with the input, output, error and attempt errors made safe."""
    store.step_finished(
        step_id,
        status,
        output=masking.value(output),
        rendered_input=None if rendered_input is None else masking.value(rendered_input),
        error=masking.error(error),
        attempts=[replace(a, error=masking.error(a.error)) for a in attempts or ()],
        **fields,
    )
