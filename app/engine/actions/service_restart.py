"""`service_restart`: restart a service on a host over SSH, or with an HTTP call.

SSH (`ssh` connection): `systemctl restart <service>` then `systemctl is-active <service>`
(or `service <service> restart` / `status`), `sudo -n` first when asked. The service name is
checked against a strict pattern and shell-quoted, so it can never be a command. HTTP (`http`
connection): `POST <path>` with `{"action": "restart", "service"}` and the connection's auth.
Output: `active` (what the check said) with the command's output, or the HTTP answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
from typing import Any

import httpx

from app.core.ops_configs import ServiceRestartConfig
from app.engine.actions import StepContext, action
from app.engine.actions.ops_connections import connection_for
from app.engine.actions.ssh_command import run_on_host
from app.engine.failures import ActionFailed
from app.integrations.credentials import ResolvedConnection, record_use
from app.integrations.guard import OutboundBlocked
from app.integrations.http import outbound_client
from app.integrations.ops._http import delivered

MAX_OUTPUT = 16_384


def restart_command(config: ServiceRestartConfig) -> str:
    name = shlex.quote(config.service)
    sudo = "sudo -n " if config.sudo else ""
    if config.manager == "service":
        return f"{sudo}service {name} restart && {sudo}service {name} status"
    return f"{sudo}systemctl restart {name} && {sudo}systemctl is-active {name}"


async def _over_http(conn: ResolvedConnection, config: ServiceRestartConfig) -> dict[str, Any]:
    body = {"action": "restart", "service": config.service}
    try:
        async with outbound_client(timeout=config.timeout_s) as client:
            response = await client.post(
                conn.url_for(config.path), json=body, headers=conn.auth_headers() or None
            )
    except OutboundBlocked as exc:
        raise ActionFailed(f"{conn.name}: {exc.message}") from None
    except httpx.HTTPError as exc:
        kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection"
        raise ActionFailed(f"{conn.name} could not be reached: {exc.__class__.__name__}",
                           kind=kind) from None  # fmt: skip
    finally:
        await asyncio.to_thread(record_use, conn.id)
    answer: Any = response.text[:MAX_OUTPUT]
    with contextlib.suppress(ValueError):
        answer = response.json()
    output = {"connection": conn.name, "service": config.service,
              "status": response.status_code, "body": answer}  # fmt: skip
    sent = delivered(response, conn.name)
    if not sent.ok:
        raise ActionFailed(f"{conn.name}: {sent.error}", kind=sent.kind or "error", output=output)
    return output


@action("service_restart", ServiceRestartConfig, "Restart a service (over SSH or an HTTP call)")
async def run(step: StepContext, config: ServiceRestartConfig) -> dict[str, Any]:
    conn = await connection_for(step, config.connection, ("ssh", "http"), "an SSH or HTTP")
    if conn.platform == "http":
        return await _over_http(conn, config)
    result = await run_on_host(
        conn, restart_command(config), timeout_s=config.timeout_s, max_output=MAX_OUTPUT,
        check=True,
    )  # fmt: skip
    lines = result["stdout"].strip().splitlines()
    return {**result, "service": config.service, "active": lines[-1] if lines else ""}
