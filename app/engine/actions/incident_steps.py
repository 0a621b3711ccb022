"""What the incident steps share: who they act as, which incident, and the step's result.

A step acts as its workflow ("workflow Nightly import, run #42" on the timeline). Mirroring
to PagerDuty / Opsgenie happens inside the step (`app.engine.incident_flow`): the connections'
secrets are added to the run's masked values, and a mirror that refused fails the step
(retryable for 5xx, 429 and network errors) with the incident already recorded; the retry
finds the same incident and sends only what was missed.
"""

from __future__ import annotations

from typing import Any

from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.incidents import Change
from app.engine import incident_flow
from app.engine.actions import StepContext
from app.engine.failures import ActionFailed

_RETRYABLE = ("http_5xx", "http_429", "timeout", "connection")


def acting_as(step: StepContext) -> str:
    workflow = step.context.get("workflow") or {}
    name = workflow.get("name") or f"workflow {step.workflow_id}"
    return f"workflow {name}, run #{step.execution_id}"


def incident_ref(step: StepContext, ref: int | str | None) -> int | str:
    """`ref` as written, else the trigger's `incident_id` (or `incident.incident_id`, as the
    Incident trigger's payload has it)."""
    if ref is not None:
        return ref
    trigger = step.context.get("trigger") or {}
    trigger = trigger if isinstance(trigger, dict) else {}
    nested = trigger.get("incident")  # the Incident trigger's payload: {"event", "incident"}
    found = trigger.get("incident_id")
    if found is None and isinstance(nested, dict):
        found = nested.get("incident_id")
    if isinstance(found, int | str) and not isinstance(found, bool) and str(found).strip():
        return found
    raise ActionFailed(
        "incident: name the incident (its id or dedup key); the trigger has no incident_id",
        kind="validation",
    )


def checked(result: dict[str, Any]) -> dict[str, Any]:
    """The step's output; a mirror that refused fails the step with it as the output."""
    missed = [m for m in result.get("mirrored") or [] if not m["ok"]]
    if missed:
        kinds = {m.get("kind") or "error" for m in missed}
        kind = next((k for k in _RETRYABLE if k in kinds), "error")
        errors = "; ".join(str(m["error"]) for m in missed)
        raise ActionFailed(
            f"incident #{result['id']} is recorded, but mirroring failed: {errors}",
            kind=kind,
            output=result,
        )
    return result


async def change(step: StepContext, ref: int | str | None, asked: Change) -> dict[str, Any]:
    try:
        result = await incident_flow.change_incident(
            incident_ref(step, ref),
            asked,
            by=acting_as(step),
            secrets=step.secrets,
            acting=(step.workflow_id, step.execution_id),
        )
    except (NotFound, Conflict, InvalidInput) as exc:
        raise ActionFailed(exc.message, kind="validation") from None
    return checked(result)
