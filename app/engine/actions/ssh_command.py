"""`ssh_command`: run one command on a host of an `ssh` connection (`app.integrations.ops.ssh`:
host key pinned, outbound guard, key or password from the encrypted credentials).

Output: `exit_status`, `stdout`, `stderr` (each at most `max_output` bytes; `truncated` says
when more came), `duration_ms`. A non-zero exit fails the step when `check` is on (the
default), with the output kept; past `timeout_s` the channel is closed and the step fails
as timed out. Output is masked like all step data (the connection's secrets, secret env).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncssh

from app.core.ops_configs import SshCommandConfig
from app.engine.actions import StepContext, action
from app.engine.actions.ops_connections import connection_for
from app.engine.failures import ActionFailed
from app.integrations.credentials import ResolvedConnection, record_use
from app.integrations.guard import OutboundBlocked
from app.integrations.ops import ssh


async def run_on_host(
    conn: ResolvedConnection, command: str, *, timeout_s: float, max_output: int, check: bool
) -> dict[str, Any]:
    """Run `command` through `conn`; the result, or `ActionFailed` saying what went wrong."""
    try:
        result = await ssh.run_command(conn, command, timeout_s=timeout_s, max_output=max_output)
    except OutboundBlocked as exc:
        raise ActionFailed(f"{conn.name}: {exc.message}") from None
    except (asyncssh.Error, OSError, TimeoutError) as exc:
        kind = "connection" if isinstance(exc, OSError | TimeoutError) else "error"
        raise ActionFailed(f"{conn.name}: {ssh.describe_error(exc)}", kind=kind) from None
    finally:
        await asyncio.to_thread(record_use, conn.id)
    output = {"connection": conn.name, "host": conn.config["host"], **result.as_dict()}
    if result.timed_out:
        raise ActionFailed(f"{conn.name}: no end within {timeout_s:g} s", kind="timeout",
                           output=output)  # fmt: skip
    if check and result.exit_status != 0:
        last = (result.stderr.strip() or result.stdout.strip()).splitlines()[-1:] or [""]
        raise ActionFailed(f"{conn.name}: exit status {result.exit_status}: {last[0][:300]}",
                           output=output)  # fmt: skip
    return output


@action("ssh_command", SshCommandConfig, "Run a command on a host over SSH")
async def run(step: StepContext, config: SshCommandConfig) -> dict[str, Any]:
    conn = await connection_for(step, config.connection, ("ssh",), "an SSH")
    return await run_on_host(
        conn,
        config.command,
        timeout_s=config.timeout_s,
        max_output=config.max_output,
        check=config.check,
    )
