"""`POST /api/hooks/resume/<token>`: a call that ends a `wait {webhook: true}` step.

The token (signed with the app's secret key, see `app.engine.waits.resume_token`) is the
credential, as a hook id is for the webhook trigger: no API key. The JSON body becomes the
step's output (an empty body is `null`). A forged or garbled token, and a token of a wait that
is not a webhook wait, are both 404 so a stranger learns nothing from the difference; a wait
already resumed (or cancelled with its run, or past its deadline) is 409.

Synchronous: the routes call it in a worker thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.core.errors import Conflict, NotFound, Problem, ValidationFailed
from app.db.engine import get_engine
from app.db.models import StepWait
from app.engine import waits

_SW = StepWait.__table__  # type: ignore[attr-defined]
_UNKNOWN = "no wait is resumed at this address"


@dataclass(frozen=True)
class Resumed:
    execution_id: int
    wait_id: int
    action_id: str


def _no_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; stored, they would break every later JSON response.
    raise ValueError(f"{name} is not JSON")


def parse_body(body: bytes) -> Any:
    """The JSON value of a body (`None` when empty); `ValidationFailed` if it is not JSON."""
    text = body.decode("utf-8", errors="strict") if body else ""
    if not text.strip():
        return None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        raise ValidationFailed([Problem("body", f"must be JSON: {exc}")]) from None


def _parsed(body: bytes) -> Any:
    try:
        return parse_body(body)
    except UnicodeDecodeError:
        raise ValidationFailed([Problem("body", "must be JSON in UTF-8")]) from None


def resume_by_token(token: str, body: bytes) -> Resumed:
    """End the webhook wait `token` names with the body as its step's output."""
    wait_id = waits.wait_of_token(token)
    if wait_id is None:
        raise NotFound(_UNKNOWN)
    with get_engine().connect() as conn:
        wait = conn.execute(
            sa.select(_SW.c.execution_id, _SW.c.action_id, _SW.c.kind, _SW.c.status).where(
                _SW.c.id == wait_id
            )
        ).first()
    if wait is None or wait.kind != "webhook":
        raise NotFound(_UNKNOWN)
    output = _parsed(body)
    if wait.status != "pending" or not waits.resolve(wait_id, output=output):
        raise Conflict(
            f"step {wait.action_id!r} of execution {wait.execution_id} is not "
            "waiting for this call any more (already resumed, timed out or cancelled)"
        )
    return Resumed(wait.execution_id, wait_id, wait.action_id)
