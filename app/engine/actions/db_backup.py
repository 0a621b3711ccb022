"""`db_backup`: back up a database connection (SQLite backup API, or `pg_dump` for
PostgreSQL) to `<data dir>/backups/connection-<id>/`, keeping the newest `keep` backups.
Output: the file, its size, how many are kept and which were removed. The connection's URL
(and password) are masked in everything the run stores."""

from __future__ import annotations

import asyncio
from typing import Any

from app.core.ops_configs import BackupConfig
from app.db.settings import get_settings
from app.db.types import utcnow
from app.engine.actions import StepContext, action
from app.engine.actions.database import url_secrets
from app.engine.actions.ops_connections import connection_for
from app.engine.failures import ActionFailed
from app.integrations import backups
from app.integrations.credentials import record_use
from app.integrations.databases import DatabaseError
from app.integrations.guard import OutboundBlocked


@action("db_backup", BackupConfig, "Back up a database connection to a file (with retention)")
async def run(step: StepContext, config: BackupConfig) -> dict[str, Any]:
    conn = await connection_for(step, config.connection, ("database",), "a database")
    step.secrets.extend(v for v in url_secrets(conn) if v not in step.secrets)
    folder = get_settings().data_dir / "backups" / f"connection-{conn.id}"
    try:
        made = await asyncio.to_thread(
            backups.back_up,
            conn.credentials["url"],
            folder,
            keep=config.keep,
            timeout_s=config.timeout_s,
            now=utcnow(),
        )
    except (DatabaseError, OutboundBlocked) as exc:
        raise ActionFailed(f"{conn.name}: {exc.message}") from None
    finally:
        await asyncio.to_thread(record_use, conn.id)
    return {"connection": conn.name, **made}
