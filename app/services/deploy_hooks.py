"""`POST /api/hooks/deploy/{hook_id}`: the `deployment` trigger's address.

Like a webhook, the hook id is unguessable and an unknown hook or a paused workflow is a 404;
unlike one, a deployment hook is always signed: GitHub's `X-Hub-Signature-256` for
`source: github`, Flowdeck's `X-Flowdeck-Signature` (timestamped) for `source: generic`. A bad
signature is a 401 and an audit row, as for webhooks. `app.core.deployments` decides whether the
notification starts a run (event and branch filters, `ping`); one that does not is answered 200
with the reason, so GitHub shows the delivery as received. A started run is deduplicated by
`X-GitHub-Delivery` (or `Idempotency-Key`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass

from app.core.deployments import deployment_payload
from app.engine.runtime import start_run
from app.integrations.secrets import decrypt
from app.services.hooks import active_hook, dedupe_key, reject_delivery, signature_problem

TRIGGER_TYPE = "deployment"


@dataclass(frozen=True)
class DeployAnswer:
    """A started (or replayed) run, or why the notification started none."""

    execution_id: int | None = None
    created: bool = False
    ignored: str | None = None


def _body(raw: bytes) -> object:
    try:
        return json.loads(raw.decode("utf-8", errors="replace") or "null")
    except ValueError:
        return None


def receive_deploy(
    hook_id: str,
    *,
    body: bytes,
    headers: Mapping[str, str],
    ip: str | None = None,
    now: float | None = None,
) -> DeployAnswer:
    """Check and maybe start one deployment notification (blocking: call it from a thread)."""
    row = active_hook(hook_id, TRIGGER_TYPE, "no active deployment hook at this address")
    config = dict(row.trigger_config or {})
    scheme = "github" if config.get("source", "github") == "github" else "flowdeck"
    secret = decrypt(row.webhook_secret_enc) if row.webhook_secret_enc else None
    now = time.time() if now is None else now
    problem = signature_problem(scheme, secret, body, headers, now)
    if problem is not None:
        raise reject_delivery(row, scheme, problem, headers, ip, len(body))
    lower = {k.lower(): v for k, v in headers.items()}
    payload, why = deployment_payload(config, lower.get("x-github-event"), _body(body))
    if payload is None:
        return DeployAnswer(ignored=why)
    execution_id, created = start_run(
        row, trigger_type=TRIGGER_TYPE, payload=payload, dedupe_key=dedupe_key(headers)
    )
    return DeployAnswer(execution_id, created)
