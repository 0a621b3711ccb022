"""Backing up a `database` connection to a file under the data dir, keeping the newest N.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot
while others keep writing; the file must be one the connection may open
(`FLOWDECK_SQLITE_ROOTS`, never Flowdeck's own). PostgreSQL: `pg_dump --format=custom` when
it is installed, to the address the outbound guard allowed, the password in `PGPASSWORD`
(never on the command line). MySQL is not backed up. A backup is written to a temporary name
and renamed when complete, so a failed one leaves nothing; then the oldest past `keep` go.
Blocking: the step runs this in a thread.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from app.core.deploys import backup_name, backups_to_remove
from app.core.sql_access import database_kind
from app.integrations.databases import DatabaseError, sqlite_file
from app.integrations.guard import resolve_checked_sync

PAGES_PER_STEP = 256


def _sqlite(url: str, target: Path, timeout_s: float) -> None:
    source_path = sqlite_file(make_url(url).database)
    deadline = time.monotonic() + timeout_s
    source = sqlite3.connect(f"{source_path.as_uri()}?mode=ro", uri=True, timeout=5)
    dest = sqlite3.connect(target)
    try:

        def progress(_status: int, _remaining: int, _total: int) -> None:
            if time.monotonic() > deadline:
                raise DatabaseError(f"backup took longer than {timeout_s:g} s")

        source.backup(dest, pages=PAGES_PER_STEP, progress=progress)
    except sqlite3.Error as exc:
        raise DatabaseError(f"SQLite backup failed: {exc}") from None
    finally:
        dest.close()
        source.close()


def _postgres(url: str, target: Path, timeout_s: float) -> None:
    binary = shutil.which("pg_dump")
    if binary is None:
        raise DatabaseError("pg_dump is not installed on this host (Debian: postgresql-client)")
    parsed = make_url(url)
    host, port = parsed.host or "localhost", parsed.port or 5432
    address = resolve_checked_sync(host, port)[0]
    conninfo = {"host": host, "hostaddr": address, "port": str(port),
                "user": parsed.username or "", "dbname": parsed.database or ""}  # fmt: skip
    dsn = " ".join(f"{k}={v}" for k, v in conninfo.items() if v)
    env = {"PATH": os.environ.get("PATH", ""), "PGCONNECT_TIMEOUT": "10"}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    try:
        done = subprocess.run(  # noqa: S603 (a fixed binary, arguments without a shell)
            [binary, "--format=custom", f"--file={target}", f"--dbname={dsn}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DatabaseError(f"pg_dump took longer than {timeout_s:g} s") from None
    if done.returncode != 0:
        raise DatabaseError(f"pg_dump failed: {done.stderr.strip()[-500:]}")


def back_up(
    url: str, folder: Path, *, keep: int, timeout_s: float, now: datetime
) -> dict[str, Any]:
    """One backup of the database at `url` into `folder`; the file, its size, what was
    removed by the retention."""
    try:
        kind = database_kind(url)
    except ValueError as exc:
        raise DatabaseError(f"credentials.url {exc}") from None
    if kind not in ("sqlite", "postgresql"):
        raise DatabaseError(f"{kind} databases are not backed up (SQLite and PostgreSQL are)")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = folder / backup_name(now, "sqlite" if kind == "sqlite" else "dump")
    partial = final.with_name(final.name + ".partial")
    try:
        (_sqlite if kind == "sqlite" else _postgres)(url, partial, timeout_s)
        partial.chmod(0o600)
        partial.rename(final)
    finally:
        partial.unlink(missing_ok=True)
    removed = backups_to_remove(sorted(p.name for p in folder.iterdir()), keep)
    for name in removed:
        (folder / name).unlink(missing_ok=True)
    kept = sorted(p.name for p in folder.iterdir() if p.name not in removed)
    return {"file": str(final), "bytes": final.stat().st_size, "kind": kind,
            "kept": len(kept), "removed": removed}  # fmt: skip
