"""What an incident change looks like to PagerDuty (Events API v2) and Opsgenie (Alert API). Pure.

`mirror_step(incident, fields, opened=...)` names what the remote side should do after a change:
`open` (PagerDuty `trigger`, Opsgenie create), `escalate` (PagerDuty `trigger` again with the
new severity under the same `dedup_key`, Opsgenie's priority update), `acknowledge`,
`resolve` (Opsgenie `close`) or `note` (Opsgenie only: an assignment or an edit as a note;
PagerDuty's Events API has nothing for it). The request builders return method, path, query
and JSON body; the integration modules add the base URL and the credentials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Flowdeck severity → PagerDuty `payload.severity` and Opsgenie `priority`.
PAGERDUTY_SEVERITY = {"low": "info", "medium": "warning", "high": "error", "critical": "critical"}
OPSGENIE_PRIORITY = {"low": "P4", "medium": "P3", "high": "P2", "critical": "P1"}
SOURCE = "flowdeck"


@dataclass(frozen=True)
class MirrorRequest:
    method: str
    path: str
    json: dict[str, Any]
    query: dict[str, str] = field(default_factory=dict)


def dedup_key(incident_id: int) -> str:
    """The key both services know the incident by (PagerDuty `dedup_key`, Opsgenie `alias`)."""
    return f"flowdeck-incident-{incident_id}"


def mirror_step(fields: dict[str, Any], *, opened: bool = False) -> str | None:
    """What the remote side does after a change that set `fields` (None: nothing to send)."""
    if opened or fields.get("status") == "open":
        return "open"
    if fields.get("status") == "resolved":
        return "resolve"
    if fields.get("status") == "acknowledged":
        return "acknowledge"
    if "severity" in fields:
        return "escalate"
    return "note" if fields else None


def _summary(incident: dict[str, Any]) -> str:
    return f"[{incident['severity']}] {incident['title']}"


def pagerduty_request(
    step: str, incident: dict[str, Any], *, routing_key: str
) -> MirrorRequest | None:
    """The Events API v2 event for `step` (None: PagerDuty has no event for it)."""
    action = {"open": "trigger", "escalate": "trigger"}.get(step, step)
    if action not in ("trigger", "acknowledge", "resolve"):
        return None
    body: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": action,
        "dedup_key": dedup_key(incident["id"]),
    }
    if action == "trigger":
        body["payload"] = {
            "summary": _summary(incident)[:1024],
            "source": SOURCE,
            "severity": PAGERDUTY_SEVERITY[incident["severity"]],
            "custom_details": {
                "incident_id": incident["id"],
                "status": incident["status"],
                "assignee": incident.get("assignee"),
                "description": (incident.get("description") or "")[:2000],
            },
        }
    return MirrorRequest("POST", "/v2/enqueue", body)


def opsgenie_request(step: str, incident: dict[str, Any], *, note: str = "") -> MirrorRequest:
    """The Alert API request for `step` (the alert is addressed by its alias)."""
    alias = dedup_key(incident["id"])
    by_alias = {"identifierType": "alias"}
    if step == "open":
        body = {
            "message": _summary(incident)[:130],
            "alias": alias,
            "description": (incident.get("description") or "")[:15000],
            "priority": OPSGENIE_PRIORITY[incident["severity"]],
            "source": SOURCE,
            "tags": ["flowdeck", incident["severity"]],
            "details": {"incident_id": str(incident["id"])},
        }
        return MirrorRequest("POST", "/v2/alerts", body)
    if step == "escalate":
        body = {"priority": OPSGENIE_PRIORITY[incident["severity"]]}
        return MirrorRequest("PUT", f"/v2/alerts/{alias}/priority", body, by_alias)
    if step in ("acknowledge", "resolve"):
        action = "close" if step == "resolve" else "acknowledge"
        body = {"source": SOURCE, "note": (note or f"{step}d in Flowdeck")[:25000]}
        return MirrorRequest("POST", f"/v2/alerts/{alias}/{action}", body, by_alias)
    body = {"source": SOURCE, "note": (note or "updated in Flowdeck")[:25000]}
    return MirrorRequest("POST", f"/v2/alerts/{alias}/notes", body, by_alias)
