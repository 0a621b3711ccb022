"""The `api_endpoint` trigger: `POST /api/run/<slug>` runs a workflow and answers with its result.

The caller authenticates with an API key and needs the `member` role (a viewer may not start
runs). The body, at most the API's 1 MiB (`BodySizeLimit` answers 413 before reading more), is
the run's trigger payload: a JSON object as it is, any other JSON value as `{"body": value}`,
an empty body as `{}`. The call waits up to the trigger's `timeout_s` for the run to end:

- ended `succeeded`: 200 `{"execution_id", "status", "outputs": {step id: output}}`;
- ended otherwise: the error shape with code `execution_failed` (502: what stands behind the
  endpoint failed, not Flowdeck), the same fields in `details`, plus `failed_step`;
- still going (a slow step, an approval): 202 `{"execution_id", "status", "status_url"}`.

Outputs are the stored ones: masked and capped like everything a run stores. The run is
audited as `workflow.run` by the key's user, with trigger type `api_endpoint`.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.core.errors import FlowdeckError, InvalidInput, NotFound
from app.core.statuses import ExecutionStatus
from app.db.engine import session_scope
from app.db.models import Workflow
from app.engine.runtime import start_run
from app.services import audit
from app.services.actor import Actor
from app.services.executions import get_execution, wait_for_finish

TRIGGER_TYPE = "api_endpoint"
_WF = Workflow.__table__  # type: ignore[attr-defined]
_ENDPOINT = sa.select(
    _WF.c.id, _WF.c.name, _WF.c.version, _WF.c.priority, _WF.c.trigger_config
).where(
    _WF.c.endpoint_slug == sa.bindparam("p_slug"),
    _WF.c.is_active.is_(True),
    _WF.c.trigger_type == TRIGGER_TYPE,
)


class ExecutionFailed(FlowdeckError):
    """The run the call started ended without succeeding."""

    code = "execution_failed"
    status = 502


@dataclass(frozen=True)
class EndpointAnswer:
    """The HTTP status and JSON body of a call that started a run."""

    status_code: int
    content: dict[str, Any]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def payload_of(body: bytes) -> dict[str, Any]:
    """The trigger payload of a call's body (see the module docstring); `InvalidInput` if the
    body is not JSON."""
    text = body.decode("utf-8", errors="replace")
    if not text.strip():
        return {}
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        raise InvalidInput(f"the body is not JSON: {exc}") from None
    return value if isinstance(value, dict) else {"body": value}


def _start(actor: Actor, slug: str, payload: dict[str, Any]) -> tuple[int, float]:
    """Queue the run (blocking: a thread); the execution id and how long to wait for it."""
    actor.require_member()
    with session_scope() as session:
        row = session.connection().execute(_ENDPOINT, {"p_slug": slug}).first()
        if row is None:
            raise NotFound(f"no active API endpoint at /api/run/{slug}")
        audit.record(
            session,
            actor,
            "workflow.run",
            target_type="workflow",
            target_id=row.id,
            details={"trigger_type": TRIGGER_TYPE, "slug": slug},
        )
    execution_id, _ = start_run(
        row, trigger_type=TRIGGER_TYPE, payload=payload, created_by=actor.user_id
    )
    return execution_id, float((row.trigger_config or {}).get("timeout_s") or 30)


async def call_endpoint(actor: Actor, slug: str, body: bytes) -> EndpointAnswer:
    """Run the endpoint's workflow with `body` and answer as the module docstring says."""
    payload = payload_of(body)
    execution_id, timeout_s = await asyncio.to_thread(_start, actor, slug, payload)
    await wait_for_finish(execution_id, timeout_s)
    result = await asyncio.to_thread(get_execution, actor, execution_id)
    status = ExecutionStatus(result["status"])
    base = {"execution_id": execution_id, "status": status.value}
    if not status.is_terminal:
        url = f"/api/workflow-orchestration/executions/{execution_id}"
        return EndpointAnswer(202, {**base, "status_url": url})
    outputs = {step["action_id"]: step["output"] for step in result["steps"]}
    if status != ExecutionStatus.SUCCEEDED:
        raise ExecutionFailed(
            result.get("error") or f"the run ended {status.value}",
            details={**base, "failed_step": result.get("failed_step"), "outputs": outputs},
        )
    return EndpointAnswer(200, {**base, "outputs": outputs})
