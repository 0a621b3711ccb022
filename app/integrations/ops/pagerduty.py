"""PagerDuty Events API v2: `POST {api_base}/v2/enqueue` with the integration's routing key.

The routing key (an Events API v2 integration key of a service) is the credential; it goes in
the JSON body, there is no header. An event is `{routing_key, event_action, dedup_key,
payload}`; `payload` (`summary`, `source`, `severity`, `custom_details`) only for `trigger`.
PagerDuty answers 202 `{"status": "success", "message": "Event processed", "dedup_key"}`,
400 `{"status": "invalid event", "errors": [...]}`, 429 when throttled. The Events API has no
request that sends nothing, so the check triggers a test alert and resolves it at once.
"""

from __future__ import annotations

import httpx
from pydantic import Field

from app.core.incident_mirrors import MirrorRequest
from app.integrations.credentials import ResolvedConnection, join_url
from app.integrations.delivery import Delivery, VerifyResult
from app.integrations.ops._http import delivered, json_of
from app.integrations.platform_fields import HttpUrl, PlatformSpec, _Fields

LABEL = "PagerDuty"


class PagerDutySecrets(_Fields):
    """The service integration's routing key (Events API v2)."""

    routing_key: str = Field(
        min_length=1,
        max_length=200,
        title="Routing key",
        description="Service → Integrations → Events API v2 → Integration Key",
    )


class PagerDutyConfig(_Fields):
    """Where events go (a stand-in's URL in tests)."""

    api_base: HttpUrl = Field("https://events.pagerduty.com", title="Events API base URL")


SPEC = PlatformSpec(
    ("api_key",), {"api_key": PagerDutySecrets}, PagerDutyConfig, {"api_key": "routing_key"}
)


def _detail(response: httpx.Response) -> str:
    data = json_of(response)
    if isinstance(data, dict):
        errors = data.get("errors")
        text = "; ".join(str(e) for e in errors) if isinstance(errors, list) else ""
        return text or str(data.get("message") or "")
    return ""


async def send(
    client: httpx.AsyncClient, conn: ResolvedConnection, request: MirrorRequest
) -> Delivery:
    url = join_url(conn.config.get("api_base") or "https://events.pagerduty.com", request.path)
    response = await client.request(request.method, url, json=request.json)
    return delivered(response, LABEL, _detail(response))


async def verify(conn: ResolvedConnection, client: httpx.AsyncClient) -> VerifyResult:
    key = conn.credentials["routing_key"]
    dedup = f"flowdeck-connection-check-{conn.id}"
    trigger = MirrorRequest(
        "POST",
        "/v2/enqueue",
        {
            "routing_key": key,
            "event_action": "trigger",
            "dedup_key": dedup,
            "payload": {
                "summary": "Flowdeck connection check (resolved at once)",
                "source": "flowdeck",
                "severity": "info",
            },
        },
    )
    sent = await send(client, conn, trigger)
    if not sent.ok:
        return VerifyResult(False, sent.error or "refused", sent.status)
    resolve = {"routing_key": key, "event_action": "resolve", "dedup_key": dedup}
    closed = await send(client, conn, MirrorRequest("POST", "/v2/enqueue", resolve))
    if not closed.ok:
        message = f"test alert sent, but resolving it: {closed.error}"
        return VerifyResult(False, message, closed.status)
    return VerifyResult(True, "PagerDuty accepted a test alert (and its resolution)", sent.status)
