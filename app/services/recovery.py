"""After Flowdeck stopped mid-run: retry once the interrupted runs whose workflow asks for it.

A workflow's `on_interrupted` is `leave` (the run stays `interrupted`; a person may retry it)
or `retry`: Flowdeck retries it once, as the system actor, through the same idempotent
`executions.request_retry` a person uses (from the failed step, reusing finished steps'
outputs, `retry_of` set, the original's trigger type and payload). Two triggers:

- start-up: the runs that `Engine.start()` found `running` from a dead process (kill -9);
- shut-down: the runs the engine itself interrupted while stopping; their retries are written
  `queued` and start after the next start-up, like any queued run.

No loops: an automatic retry (a retry nobody asked for: `created_by` empty) that is
interrupted again is left alone. Several processes recovering the same run still make one
retry: `request_retry` lets the database decide.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from app.core.errors import FlowdeckError
from app.core.statuses import ExecutionStatus
from app.db.engine import get_engine
from app.db.models import Execution, Workflow
from app.services import executions
from app.services.actor import SYSTEM

log = logging.getLogger("flowdeck.recovery")

_EX = Execution.__table__  # type: ignore[attr-defined]
_WF = Workflow.__table__  # type: ignore[attr-defined]


def _candidates(execution_ids: list[int]) -> list[sa.Row]:
    query = (
        sa.select(_EX.c.id, _EX.c.retry_of, _EX.c.created_by)
        .join(_WF, _WF.c.id == _EX.c.workflow_id)
        .where(
            _EX.c.id.in_(execution_ids),
            _EX.c.status == ExecutionStatus.INTERRUPTED,
            _WF.c.on_interrupted == "retry",
        )
        .order_by(_EX.c.id)
    )
    with get_engine().connect() as conn:
        return list(conn.execute(query).all())


def is_automatic_retry(retry_of: int | None, created_by: int | None) -> bool:
    """A retry Flowdeck made on its own (recovery runs as the system actor, no user)."""
    return retry_of is not None and created_by is None


def retry_interrupted(execution_ids: Iterable[int]) -> dict[int, int]:
    """Retry each of these interrupted runs whose workflow says `retry`; {run: its retry}.

    Blocking (database work): call it in a thread.
    """
    ids = sorted(set(execution_ids))
    if not ids:
        return {}
    retried: dict[int, int] = {}
    for row in _candidates(ids):
        if is_automatic_retry(row.retry_of, row.created_by):
            log.warning("execution %s was an automatic retry; not retried again", row.id)
            continue
        try:
            retry = executions.request_retry(SYSTEM, row.id)
        except FlowdeckError as exc:  # e.g. its workflow was deleted meanwhile
            log.warning("could not retry interrupted execution %s: %s", row.id, exc)
            continue
        retried[row.id] = retry.execution["id"]
        if retry.created:
            log.info("retrying interrupted execution %s as %s", row.id, retry.execution["id"])
    return retried


def interrupted_since(moment: datetime) -> list[int]:
    """Runs that became `interrupted` at or after `moment` (those a stopping engine ended)."""
    query = sa.select(_EX.c.id).where(
        _EX.c.status == ExecutionStatus.INTERRUPTED, _EX.c.finished_at >= moment
    )
    with get_engine().connect() as conn:
        return list(conn.execute(query).scalars())
