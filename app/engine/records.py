"""The stored copy of a step's data: secrets masked, then capped (see `app.core.stored_data`).

These wrap `store`'s writes and run on the writer thread with them, so that masking and
measuring a multi-megabyte output never happens on the event loop. The run keeps the full,
unmasked values in memory for its next steps; only what is written goes through `Masking`.

Secrets are masked by value with every secret the execution knows *when the data is written*.
A step may load a credential after earlier steps were stored (a server can echo in step 1 what
step 3's connection holds); `remask_execution` then goes over the execution's stored data once
more, at its end, with the full set.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam

from app.core.redact import redact
from app.core.statuses import StepStatus
from app.core.stored_data import stored_error, stored_value
from app.db.engine import get_engine
from app.engine import store
from app.engine.statements import AT, SI, ST


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


_REWRITE_STEP = (
    ST.update()
    .where(ST.c.id == bindparam("step_id"))
    .values(input=bindparam("p_input"), output=bindparam("p_output"), error=bindparam("p_error"))
)
_REWRITE_ITEM = (
    SI.update()
    .where(SI.c.id == bindparam("item_id"))
    .values(output=bindparam("p_output"), error=bindparam("p_error"))
)
_REWRITE_ATTEMPT = (
    AT.update().where(AT.c.id == bindparam("attempt_id")).values(error=bindparam("p_error"))
)


def remask_execution(execution_id: int, secrets: tuple[str, ...]) -> int:
    """Mask `secrets` in everything stored for the execution's steps, their attempts and their
    for_each items; returns the rows changed."""
    with get_engine().begin() as conn:
        steps = conn.execute(
            sa.select(ST.c.id, ST.c.input, ST.c.output, ST.c.error).where(
                ST.c.execution_id == execution_id
            )
        ).all()
        attempts = conn.execute(
            sa.select(AT.c.id, AT.c.error)
            .join(ST, ST.c.id == AT.c.step_id)
            .where(ST.c.execution_id == execution_id, AT.c.error.is_not(None))
        ).all()
        items = conn.execute(
            sa.select(SI.c.id, SI.c.output, SI.c.error)
            .join(ST, ST.c.id == SI.c.step_id)
            .where(ST.c.execution_id == execution_id)
        ).all()
        step_rows = []
        for step_id, *data in steps:
            masked = [redact(item, secrets) for item in data]
            if masked != data:
                step_rows.append(dict(zip(("p_input", "p_output", "p_error"), masked, strict=True)))
                step_rows[-1]["step_id"] = step_id
        attempt_rows = [
            {"attempt_id": attempt_id, "p_error": masked}
            for attempt_id, error in attempts
            if (masked := redact(error, secrets)) != error
        ]
        item_rows = []
        for item_id, *data in items:
            masked = [redact(value, secrets) for value in data]
            if masked != data:
                item_rows.append({"item_id": item_id, "p_output": masked[0], "p_error": masked[1]})
        if item_rows:
            conn.execute(_REWRITE_ITEM, item_rows)
        if step_rows:
            conn.execute(_REWRITE_STEP, step_rows)
        if attempt_rows:
            conn.execute(_REWRITE_ATTEMPT, attempt_rows)
    return len(step_rows) + len(attempt_rows) + len(item_rows)
