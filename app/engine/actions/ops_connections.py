"""Loading the connection an operations step names, checked to be of the right platform, its
secrets added to the run's masked values (shared by the communication, deployment and
infrastructure steps)."""

from __future__ import annotations

import asyncio

from app.core.errors import NotFound
from app.db.engine import session_scope
from app.engine.actions import StepContext
from app.engine.failures import ActionFailed
from app.integrations.credentials import ResolvedConnection, find_row, resolved


def _load(ref: int | str, platforms: tuple[str, ...], what: str) -> ResolvedConnection:
    with session_scope() as session:
        try:
            row = find_row(session, ref)
        except NotFound:
            raise ActionFailed(
                f"connection {ref!r} does not exist: add {what} connection under Connections",
                kind="validation",
            ) from None
        if row.platform not in platforms:
            raise ActionFailed(
                f"connection {row.name!r} is {row.platform}, not {what} connection",
                kind="validation",
            )
        return resolved(row)


async def connection_for(
    step: StepContext, ref: int | str, platforms: tuple[str, ...], what: str
) -> ResolvedConnection:
    """The connection `ref` (id or name) of one of `platforms`; `what` names them for people
    ("a Twilio")."""
    conn = await asyncio.to_thread(_load, ref, platforms, what)
    step.secrets.extend(v for v in conn.secret_values() if v not in step.secrets)
    return conn
