"""`database`: one parameterised SQL statement through a connection of platform `database`.

Config (`app.core.sql_access.DatabaseConfig`): `connection` (id or name), `query` (SQL with
`:name` placeholders, kept as written: never a template), `params` (templates allowed; bound
by the driver, never pasted into the SQL), `write` (false: read-only), `max_rows`,
`timeout_s`. The output is `{"rows": [{column: value}], "row_count", "columns", "truncated"}`;
a statement that returns no rows gives its changed `row_count`. The connection's URL (with
its password) is loaded here and masked in everything the run stores. Runs in a thread
(`app.integrations.databases`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.engine import make_url

from app.core.sql_access import DatabaseConfig
from app.db.engine import session_scope
from app.engine.actions import StepContext, action
from app.engine.failures import ActionFailed
from app.integrations import databases
from app.integrations.credentials import ResolvedConnection, find_row, record_use, resolved
from app.integrations.guard import OutboundBlocked


def _connection(ref: int | str) -> ResolvedConnection:
    with session_scope() as session:
        row = find_row(session, ref)
        if row.platform != "database":
            raise ActionFailed(f"connection {row.name!r} is {row.platform}, not a database")
        return resolved(row)


def url_secrets(conn: ResolvedConnection) -> list[str]:
    url = conn.credentials.get("url", "")
    found = [url] if url else []
    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001 (a bad URL is reported when it is used)
        password = None
    return found + ([str(password)] if password else [])


@action(
    "database",
    DatabaseConfig,
    "Run one parameterised SQL query through a database connection (read-only unless "
    "write is true); rows as the output",
    unrendered=DatabaseConfig.VERBATIM,
)
async def run(step: StepContext, config: DatabaseConfig) -> dict[str, Any]:
    conn = await asyncio.to_thread(_connection, config.connection)
    step.secrets.extend(v for v in url_secrets(conn) if v not in step.secrets)
    try:
        return await asyncio.to_thread(
            databases.run_statement,
            conn.credentials["url"],
            config.query,
            config.params,
            write=config.write,
            max_rows=config.max_rows,
            timeout_s=config.timeout_s,
        )
    except (databases.DatabaseError, OutboundBlocked) as exc:
        raise ActionFailed(f"{conn.name}: {exc.message}") from None
    finally:
        await asyncio.to_thread(record_use, conn.id)
