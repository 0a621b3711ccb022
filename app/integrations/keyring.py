"""Key rotation and the start-up canary for every secret Flowdeck stores.

Stored secrets: `Connection.credentials_enc` and `Workflow.webhook_secret_enc`. Rotation
re-encrypts them all under the newest key of `FLOWDECK_SECRET_KEYS` in one transaction (all or
nothing), after which the older keys can be removed. The canary, run at start-up, tries to
read them all and says loudly when the configured keys cannot, so a lost or mistyped key is
found at boot and not by the first workflow that needs a credential.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session, select

from app.db.engine import session_scope
from app.db.models import Connection, Workflow
from app.db.types import utcnow
from app.integrations.secrets import SecretUnreadable, decrypt, rotate

log = logging.getLogger("flowdeck.secrets")

#: (table, ciphertext attribute, count label, what one row is called in messages)
_STORED: tuple[tuple[type[Any], str, str, str], ...] = (
    (Connection, "credentials_enc", "connections", "connection"),
    (Workflow, "webhook_secret_enc", "workflow_webhooks", "workflow"),
)


def _stored(session: Session) -> list[tuple[str, str, Any, str]]:
    """(count label, noun, row, attribute) for every stored secret, in id order."""
    found = []
    for model, attribute, label, noun in _STORED:
        column = getattr(model, attribute)
        rows = session.exec(select(model).where(column.is_not(None)).order_by(model.id)).all()
        found += [(label, noun, row, attribute) for row in rows]
    return found


def rotate_all(session: Session) -> dict[str, int]:
    """Re-encrypt every stored secret under the newest key; returns how many per kind.

    Nothing is changed unless every secret can be read: if one cannot, `SecretUnreadable`
    names it and the caller's transaction is rolled back.
    """
    counts = {label: 0 for _model, _attribute, label, _noun in _STORED}
    unreadable: list[str] = []
    for label, noun, row, attribute in _stored(session):
        try:
            setattr(row, attribute, rotate(getattr(row, attribute)))
        except SecretUnreadable:
            unreadable.append(f"{noun} {row.id}")
            continue
        if isinstance(row, Connection):
            row.updated_at = utcnow()
        session.add(row)
        counts[label] += 1
    if unreadable:
        raise SecretUnreadable(
            f"cannot rotate: {len(unreadable)} stored secret(s) cannot be decrypted with the "
            f"configured FLOWDECK_SECRET_KEYS ({', '.join(unreadable[:10])}); nothing was "
            "changed. Put the old key back in the list (after the new one) and run again.",
            details={"unreadable": unreadable},
        )
    return counts


@dataclass(frozen=True)
class CanaryResult:
    """What the start-up canary found: `ok`, `none stored`, `unreadable` or `not checked`."""

    state: str
    checked: int = 0
    unreadable: int = 0
    message: str = ""

    @property
    def healthy(self) -> bool:
        """False only when stored secrets exist that no configured key can read."""
        return self.state != "unreadable"


_last = CanaryResult("not checked", message="the start-up secrets check has not run")


def canary_check() -> CanaryResult:
    """Try to read every stored secret with the configured keys; remember and log the result."""
    global _last
    checked = failed = 0
    with session_scope() as session:
        for _label, _noun, row, attribute in _stored(session):
            checked += 1
            try:
                decrypt(getattr(row, attribute))
            except SecretUnreadable:
                failed += 1
    if checked == 0:
        result = CanaryResult("none stored", message="no stored secrets yet")
    elif failed:
        result = CanaryResult(
            "unreadable",
            checked,
            failed,
            f"{failed} of {checked} stored secrets cannot be decrypted with the configured "
            "FLOWDECK_SECRET_KEYS: was a key removed or changed? Connections and signed "
            "webhooks that use them will fail until the right key is configured again.",
        )
        log.error("SECRETS CANARY FAILED: %s", result.message)
    else:
        result = CanaryResult("ok", checked, 0, f"all {checked} stored secrets are readable")
        log.info("secrets canary: %s", result.message)
    _last = result
    return result


def canary_state() -> CanaryResult:
    """The result of the last canary check (for /api/health and the status page)."""
    return _last


def canary_report() -> dict[str, Any]:
    """The canary result as JSON-ready data."""
    return asdict(_last)
