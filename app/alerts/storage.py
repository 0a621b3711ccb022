"""How an alert keeps its secrets: encrypted inside `Alert.config`, shown as hints.

A Slack or webhook URL authorises posting and a signing secret signs requests, so both are
stored only as ciphertext (`config["channel_enc"]`, `config["secret_enc"]`), the `channel`
column holding a hint. Decrypting happens here, for a delivery or to merge an update, and
nowhere else.
"""

from __future__ import annotations

import secrets
from typing import Any

from app.alerts.spec import CHANNEL_ENC, ENC_SUFFIX, AlertSpec, channel_hint, public_options
from app.db.models import Alert
from app.integrations.platforms import snake_keys
from app.integrations.secrets import decrypt, encrypt

SIGNING = "secret"  # the webhook option that signs requests


def stored_body(row: Alert) -> dict[str, Any]:
    """The alert as a body, with its secrets decrypted (`SecretUnreadable` if they cannot be)."""
    config = dict(row.config or {})
    options = public_options(config)
    for key, value in config.items():
        if key.endswith(ENC_SUFFIX) and key != CHANNEL_ENC and value:
            options[key.removesuffix(ENC_SUFFIX)] = decrypt(value)
    channel = decrypt(config[CHANNEL_ENC]) if config.get(CHANNEL_ENC) else row.channel
    return {
        "name": row.name,
        "workflow_id": row.workflow_id,
        "alert_type": row.alert_type,
        "channel": channel,
        "connection_id": row.connection_id,
        "events": list(row.events or []),
        "severity": row.severity,
        "min_severity": row.min_severity,
        "config": options,
        "is_active": row.is_active,
    }


def merged_body(row: Alert, data: dict[str, Any]) -> dict[str, Any]:
    """An update laid over the stored alert; omitted keys and secrets keep their value.

    A new channel type starts from a clean slate (the old URL or chat means nothing to it);
    the hint sent back unchanged keeps the stored URL; `config` keys set to null are removed.
    """
    given = snake_keys(data)
    body = stored_body(row)
    has_url = CHANNEL_ENC in (row.config or {})
    if given.get("alert_type", row.alert_type) != row.alert_type:
        body.update(channel="", connection_id=None, config={})
    if has_url and given.get("channel") == row.channel:
        del given["channel"]
    if has_url and given.get("connection_id") and "channel" not in given:
        body["channel"] = ""  # from a URL of its own to a connection's
    for key, value in given.items():
        if key == "config" and isinstance(value, dict):
            config = {**body["config"], **snake_keys(value)}
            body["config"] = {k: v for k, v in config.items() if v is not None}
        else:
            body[key] = value
    return body


def apply_spec(row: Alert, spec: AlertSpec, *, default_name: str) -> str | None:
    """Write `spec` into `row`, encrypting its secrets; returns a signing secret made now."""
    ctype = spec.channel_type
    if ctype is None:
        raise ValueError("apply_spec needs a checked spec")
    config: dict[str, Any] = dict(spec.options)
    row.channel = channel_hint(spec.channel) if spec.channel_is_secret else spec.channel
    if spec.channel_is_secret:
        config[CHANNEL_ENC] = encrypt(spec.channel)
    generated = None
    values = dict(spec.secrets)
    if SIGNING in ctype.secret_options and not values.get(SIGNING):
        generated = values[SIGNING] = secrets.token_urlsafe(32)
    for name, value in values.items():
        config[name + ENC_SUFFIX] = encrypt(value)
    row.name = spec.name or default_name
    row.workflow_id, row.alert_type = spec.workflow_id, spec.alert_type
    row.connection_id, row.events = spec.connection_id, list(spec.events)
    row.severity, row.is_active, row.config = spec.severity, spec.is_active, config
    row.min_severity = spec.min_severity
    return generated
