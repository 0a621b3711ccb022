"""Inbound webhooks: a `POST /api/hooks/{hook_id}` becomes a queued execution.

The hook id (random, unguessable, one per workflow) is the credential; a workflow may also
require a signature, checked in constant time by `app.core.signatures`:
- `github`: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body;
- `flowdeck`: `X-Flowdeck-Signature: t=<unix>,v1=<hex>` over `"<t>." + body`, refused when `t`
  is more than 300 s away from now in either direction, so a captured call cannot be replayed.
The secret is stored encrypted and only decrypted here. A bad or missing signature is a 401 and
an audit row `webhook.rejected` (without the secret or the signature); an unknown hook and a
paused workflow are both 404, so a stranger learns nothing from the difference.

The run's trigger payload (what `{{ trigger.… }}` sees) always has this shape:

    {"body": <the JSON body; the body as text when it is not JSON; null when empty>,
     "headers": {"content-type": …, "user-agent": …, "x-github-event": …,
                 "x-github-delivery": …}}

with only the headers that were sent, names in lower case (`trigger.headers["x-github-event"]`).

Dedupe: the `Idempotency-Key` header, else `X-GitHub-Delivery`, becomes the execution's dedupe
key. The unique constraint on (workflow, dedupe_key) makes a replay, even one arriving at the
same moment as the original, return the first execution instead of starting another. A replay
never re-runs work: when the first execution failed or was interrupted, the answer names its
newest retry too (`retry_execution_id`: a person's retry, or the automatic one of a workflow
with `on_interrupted: retry`), so the caller can follow that one.
Accepted deliveries are not audited (a busy hook would drown the trail); rejections are.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.core.errors import AuthenticationFailed, NotFound
from app.core.signatures import verify_flowdeck, verify_github
from app.db.engine import get_engine, session_scope
from app.db.models import Execution, Workflow
from app.engine.runtime import start_run
from app.integrations.secrets import decrypt
from app.services import audit

PAYLOAD_HEADERS = ("content-type", "user-agent", "x-github-event", "x-github-delivery")
SIGNATURE_HEADERS = {"github": "x-hub-signature-256", "flowdeck": "x-flowdeck-signature"}
_MAX_KEY = 180


class SignatureRejected(AuthenticationFailed):
    """The workflow wants a signed call and this one's signature is missing or wrong."""

    code = "invalid_signature"


@dataclass(frozen=True)
class Delivery:
    """What a webhook call led to: the execution, and whether this call created it."""

    execution_id: int
    created: bool
    status: str
    retry_execution_id: int | None = None  # a replay of a failed/interrupted run: its retry


def _no_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; stored, they would break every later JSON response.
    raise ValueError(f"{name} is not JSON")


def build_payload(body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
    """The trigger payload of a call (shape in the module docstring)."""
    text = body.decode("utf-8", errors="replace")
    parsed: Any = None
    if text.strip():
        try:
            parsed = json.loads(text, parse_constant=_no_constant)
        except ValueError:
            parsed = text
    lower = {k.lower(): v for k, v in headers.items()}
    return {"body": parsed, "headers": {h: lower[h] for h in PAYLOAD_HEADERS if h in lower}}


def dedupe_key(headers: Mapping[str, str]) -> str | None:
    """`webhook:<Idempotency-Key or X-GitHub-Delivery>`; a very long key is hashed to fit."""
    lower = {k.lower(): v for k, v in headers.items()}
    key = (lower.get("idempotency-key") or lower.get("x-github-delivery") or "").strip()
    if not key:
        return None
    if len(key) > _MAX_KEY:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return f"webhook:{key}"


def signature_problem(
    scheme: str, secret: str | None, body: bytes, headers: Mapping[str, str], now: float
) -> str | None:
    """Why the call's signature is not acceptable under `scheme`, or None if it is."""
    if scheme == "none":
        return None
    header_name = SIGNATURE_HEADERS.get(scheme)
    if header_name is None or not secret:
        return "the workflow has no usable signing secret"
    lower = {k.lower(): v for k, v in headers.items()}
    header = lower.get(header_name)
    if not header:
        return f"missing {header_name} header"
    if scheme == "github":
        good = verify_github(secret, body, header)
    else:
        good = verify_flowdeck(secret, body, header, now)
    return None if good else "signature does not match, or its timestamp is out of tolerance"


@dataclass(frozen=True)
class _Hook:
    """The columns of a webhook workflow that a delivery needs (read without the ORM)."""

    id: int
    name: str
    version: int
    priority: str
    trigger_config: dict[str, Any]
    webhook_secret_enc: str | None


_WF = Workflow.__table__  # type: ignore[attr-defined]
_HOOK = sa.select(
    _WF.c.id,
    _WF.c.name,
    _WF.c.version,
    _WF.c.priority,
    _WF.c.trigger_config,
    _WF.c.webhook_secret_enc,
).where(
    _WF.c.hook_id == sa.bindparam("p_hook_id"),
    _WF.c.is_active.is_(True),
    _WF.c.trigger_type == sa.bindparam("p_trigger_type"),
)


_EX = Execution.__table__  # type: ignore[attr-defined]
_STATUS = sa.select(_EX.c.status).where(_EX.c.id == sa.bindparam("p_id"))
_LATEST_RETRY = (
    sa.select(_EX.c.id)
    .where(_EX.c.retry_of == sa.bindparam("p_id"))
    .order_by(_EX.c.id.desc())
    .limit(1)
)


def active_hook(
    hook_id: str, trigger_type: str = "webhook", missing: str = "no active webhook at this address"
) -> _Hook:
    """The active workflow of `trigger_type` behind `hook_id`, or `NotFound(missing)`."""
    params = {"p_hook_id": hook_id, "p_trigger_type": trigger_type}
    with get_engine().connect() as conn:
        row = conn.execute(_HOOK, params).first()
    if row is None:
        raise NotFound(missing)
    return _Hook(**row._mapping)


def reject_delivery(
    row: Any,  # a workflow row or `_Hook`: its `id` and `name`
    scheme: str,
    reason: str,
    headers: Mapping[str, str],
    ip: str | None,
    body_bytes: int,
) -> SignatureRejected:
    lower = {k.lower(): v for k, v in headers.items()}
    with session_scope() as session:
        audit.record(
            session,
            None,
            "webhook.rejected",
            target_type="workflow",
            target_id=row.id,
            details={
                "workflow": row.name,
                "scheme": scheme,
                "reason": reason,
                "delivery": (lower.get("x-github-delivery") or "")[:200] or None,
                "body_bytes": body_bytes,
            },
            ip=ip,
            user_agent=lower.get("user-agent"),
        )
    return SignatureRejected("the webhook signature is missing or invalid")


def receive_webhook(
    hook_id: str,
    *,
    body: bytes,
    headers: Mapping[str, str],
    ip: str | None = None,
    now: float | None = None,
) -> Delivery:
    """Check and queue one webhook call (blocking: call it from a thread, not the loop).

    Raises `NotFound` for an unknown hook or a paused workflow and `SignatureRejected` (401,
    audited) for a bad signature.
    """
    row = active_hook(hook_id)
    scheme = str((row.trigger_config or {}).get("signature") or "none")
    stored = row.webhook_secret_enc if scheme != "none" else None
    secret = decrypt(stored) if stored else None
    now = time.time() if now is None else now
    problem = signature_problem(scheme, secret, body, headers, now)
    if problem is not None:
        raise reject_delivery(row, scheme, problem, headers, ip, len(body))
    execution_id, created = start_run(
        row,
        trigger_type="webhook",
        payload=build_payload(body, headers),
        dedupe_key=dedupe_key(headers),
    )
    if created:
        return Delivery(execution_id, True, "queued")
    with get_engine().connect() as conn:
        status = conn.execute(_STATUS, {"p_id": execution_id}).scalar() or "queued"
        retry_id = conn.execute(_LATEST_RETRY, {"p_id": execution_id}).scalar()
    return Delivery(execution_id, False, status, retry_id)
