"""Opening and changing an incident end to end: write, announce, mirror.

After the row is committed (`app.engine.incidents`), the change is published on the bus as
the internal events the Incident trigger and `event` triggers listen to —
`incident.opened` (also when reopened), `incident.escalated`, `incident.resolved`, and
`incident.updated` for every change — with the incident's fields as the payload. Then each
mirror connection (PagerDuty, Opsgenie) gets the matching request; each result is stored on
the incident (`mirrors`), a failure also as a timeline entry, and returned. A mirror that
fails never undoes the change: the incident is Flowdeck's record, the mirrors are copies.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from app.core.incident_mirrors import mirror_step, opsgenie_request, pagerduty_request
from app.core.incidents import Change, NewIncident
from app.core.redact import SecretValues, redact
from app.db.types import utcnow
from app.engine import incidents
from app.engine.bus import bus
from app.integrations.credentials import load_connection, record_use
from app.integrations.delivery import Delivery
from app.integrations.guard import OutboundBlocked
from app.integrations.http import outbound_client
from app.integrations.ops import opsgenie, pagerduty
from app.integrations.ops._http import unreachable

MIRROR_TIMEOUT_S = 15.0
_KIND_STEPS = {"resolve": "resolve", "acknowledge": "acknowledge", "escalate": "escalate"}
EVENT_FIELDS = ("title", "severity", "status", "assignee", "url")


def announce(
    name: str,
    incident: dict[str, Any],
    before: dict[str, Any] | None,
    by: str,
    acting: tuple[int | None, int | None] = (None, None),
) -> None:
    """Publish `name` with the incident's fields. `workflow_id` / `execution_id` are the run
    that made this change (None for a person), so that the Incident trigger never starts a
    workflow for its own change; `opened_by_workflow_id` is the run that opened it."""
    data = {"incident_id": incident["id"], **{k: incident.get(k) for k in EVENT_FIELDS}}
    data |= {"workflow_id": acting[0], "execution_id": acting[1],
             "opened_by_workflow_id": incident.get("workflow_id")}  # fmt: skip
    if before is not None:
        data |= {"previous_severity": before["severity"], "previous_status": before["status"]}
    bus.publish_nowait(name, **data, by=by)


async def _mirror_one(
    target: dict[str, Any], step: str, incident: dict[str, Any], note: str, secrets: SecretValues
) -> dict[str, Any]:
    result = {**target, "step": step, "at": utcnow().isoformat()}
    try:
        conn = await asyncio.to_thread(load_connection, target["connection_id"])
    except Exception as exc:  # noqa: BLE001 (deleted or unreadable: said on the incident)
        error = str(getattr(exc, "message", exc))
        return {**result, "ok": False, "status": None, "error": error, "kind": "error"}
    secrets.extend(v for v in conn.secret_values() if v not in secrets)
    delivery: Delivery | None
    try:
        async with outbound_client(timeout=MIRROR_TIMEOUT_S) as client:
            if conn.platform == "pagerduty":
                request = pagerduty_request(
                    step, incident, routing_key=conn.credentials["routing_key"]
                )
                delivery = None if request is None else await pagerduty.send(client, conn, request)
            else:
                delivery = await opsgenie.send(
                    client, conn, opsgenie_request(step, incident, note=note)
                )
    except OutboundBlocked as exc:
        delivery = Delivery(False, None, exc.message, "error")
    except httpx.HTTPError as exc:
        delivery = unreachable(exc, conn.name)
    finally:
        await asyncio.to_thread(record_use, conn.id)
    if delivery is None:
        return {**result, "ok": True, "status": None, "error": None, "skipped": True}
    error = str(redact(delivery.error, conn.secret_values())) if delivery.error else None
    return {**result, "ok": delivery.ok, "status": delivery.status, "error": error,
            "kind": delivery.kind}  # fmt: skip


async def mirror(
    incident: dict[str, Any], step: str | None, *, note: str = "", by: str,
    secrets: SecretValues | None = None, only_failed: bool = False,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:  # fmt: skip
    """Send `step` to every mirror of `incident` (`only_failed`: to those whose last try of
    `step` failed: a retried step); the incident as stored after, and the results."""
    targets = incident.get("mirrors") or []
    if only_failed:
        targets = [t for t in targets if t.get("ok") is False and t.get("step") == step]
    targets = [{k: t[k] for k in ("connection_id", "name", "platform")} for t in targets]
    if step is None or not targets:
        return incident, []
    found = secrets if secrets is not None else SecretValues()
    results = list(
        await asyncio.gather(*(_mirror_one(t, step, incident, note, found) for t in targets))
    )
    stored = await asyncio.to_thread(incidents.record_mirroring, incident["id"], results, by=by)
    return stored, results


async def open_incident(
    new: NewIncident,
    *,
    by: str,
    secrets: SecretValues | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Open (or find, by `dedup_key`) an incident, announce it and mirror it.

    The answer is the incident plus `created` and `mirrored` (each mirror's result).
    """
    incident, created = await asyncio.to_thread(incidents.open_incident, new, by=by, **options)
    if created:
        acting = (options.get("workflow_id"), options.get("execution_id"))
        announce("incident.opened", incident, None, by, acting)
    incident, mirrored = await mirror(
        incident, "open", by=by, secrets=secrets, only_failed=not created
    )
    return {**incident, "created": created, "mirrored": mirrored}


async def change_incident(
    ref: int | str,
    change: Change,
    *,
    by: str,
    secrets: SecretValues | None = None,
    on_write: incidents.OnWrite | None = None,
    acting: tuple[int | None, int | None] = (None, None),
) -> dict[str, Any]:
    """Apply `change`, announce what it did and mirror it; the incident plus `changed`,
    `events` and `mirrored`. `acting`: the workflow and run making the change, if any."""
    before, after, plan = await asyncio.to_thread(
        incidents.change_incident, ref, change, by=by, on_write=on_write
    )
    for name in plan.events:
        announce(name, after, before, by, acting)
    if plan.changed:
        step = mirror_step(plan.fields) or ("note" if change.note else None)
    else:  # asked again (a retried step): the mirrors that missed it last time get it now
        step = _KIND_STEPS.get(change.kind)
    after, mirrored = await mirror(
        after,
        step,
        note=plan.entry.get("text") or "",
        by=by,
        secrets=secrets,
        only_failed=not plan.changed,
    )
    return {**after, "changed": plan.changed, "events": list(plan.events), "mirrored": mirrored}
