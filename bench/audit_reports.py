"""Audit reports benchmark: 1,000,000 audit rows in SQLite; server time of each report.

    python -m bench.audit_reports

Seeds one million audit events over 400 days (plain executemany): 50 people, 500 workflows,
a mix of runs, changes, sign-ins and failed sign-ins, with one heavy person (a fifth of all
rows, like a busy API key) and one hot workflow (5 % of rows). Then times the three reports
the Audit tab and /api/audit/... ask for, at 30 and 366 days. Target: < 200 ms each.

The reports rely on the composite indexes of migration 0009 on `audit_event`; if the schema
here does not have them yet, the benchmark says so and adds them (the same four) itself.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet

_DIR = Path(tempfile.mkdtemp(prefix="flowdeck-audit-"))
os.environ["FLOWDECK_DATA_DIR"] = str(_DIR)
os.environ.setdefault("FLOWDECK_SECRET_KEYS", Fernet.generate_key().decode())

from app.db.migrate import upgrade  # noqa: E402
from app.services import audit_reports, users, workflows  # noqa: E402
from app.services.actor import SYSTEM  # noqa: E402
from bench.reference import machine_line  # noqa: E402

ROWS = 1_000_000
PEOPLE = 50
WORKFLOWS = 500
SPAN_DAYS = 400
HOT_USER_SHARE, HOT_WORKFLOW_SHARE = 0.2, 0.05
ACTIONS = (
    ["workflow.run"] * 40
    + ["workflow.updated"] * 10
    + ["workflow.paused", "workflow.resumed", "workflow.created", "workflow.rolled_back"]
    + ["auth.login"] * 15
    + ["auth.login_failed"] * 5
    + ["connection.updated"] * 5
    + ["alert.updated"] * 5
    + ["execution.cancelled"] * 3
    + ["execution.retried"] * 7
    + ["user.role_changed"] * 2
)
INDEXES = {
    "ix_audit_action_at": "action, at",
    "ix_audit_actor_at": "actor_id, at",
    "ix_audit_actor_action_at": "actor_id, action, at",
    "ix_audit_target_at": "target_type, target_id, at",
}


def _rows(user_ids: list[int], workflow_ids: list[int]) -> Iterator[tuple]:
    rng = random.Random(16)
    start = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=SPAN_DAYS)
    step = timedelta(days=SPAN_DAYS) / ROWS
    hot_user, hot_workflow = user_ids[0], workflow_ids[0]
    for n in range(ROWS):
        action = rng.choice(ACTIONS)
        user = hot_user if rng.random() < HOT_USER_SHARE else rng.choice(user_ids)
        at = start + step * n
        if action.startswith("workflow."):
            wid = hot_workflow if rng.random() < HOT_WORKFLOW_SHARE else rng.choice(workflow_ids)
            target, details = ("workflow", str(wid)), '{"version": 2}'
        elif action.startswith("auth."):
            target, details = ("user", str(user)), '{"email": "someone@example.com"}'
        else:
            target, details = ("execution", str(rng.randint(1, 100_000))), "{}"
        failed = action == "auth.login_failed"
        yield (
            at,
            "anonymous" if failed else "user",
            None if failed else user,
            "" if failed else f"person{user}@example.com",
            action,
            *target,
            f"10.{user % 250}.{rng.randint(0, 3)}.1",
            "bench/1.0",
            details,
        )


def seed() -> tuple[float, int, int]:
    upgrade()
    user_ids = [
        users.create_user(
            SYSTEM, email=f"person{i}@example.com", role="member", password="p" * 12
        ).id
        for i in range(PEOPLE)
    ]
    flow = {"trigger": {"type": "manual"}, "actions": [{"id": "a", "type": "transform"}]}
    flow["actions"][0]["config"] = {"values": {}}
    workflow_ids = [
        workflows.create_workflow(SYSTEM, {**flow, "name": f"workflow {i:03d}"}).workflow["id"]
        for i in range(WORKFLOWS)
    ]
    t0 = time.perf_counter()
    conn = sqlite3.connect(_DIR / "flowdeck.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    have = {r[1] for r in conn.execute("PRAGMA index_list('audit_event')")}
    for name, columns in INDEXES.items():
        if name not in have:
            print(f"note: schema has no {name} yet (migration 0009): adding it here")
            conn.execute(f"CREATE INDEX {name} ON audit_event ({columns})")
    conn.executemany(
        "INSERT INTO audit_event (at, actor_type, actor_id, actor_label, action, target_type, "
        "target_id, ip, user_agent, details) VALUES (?,?,?,?,?,?,?,?,?,?)",
        _rows(user_ids, workflow_ids),
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - t0, user_ids[0], workflow_ids[0]


def timed(label: str, call: Callable[[], object], runs: int = 7) -> None:
    call()  # warm the connection pool and the page cache
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t0) * 1000)
    print(f"  {label:<52} p50 {statistics.median(samples):7.1f} ms   max {max(samples):7.1f} ms")


def main() -> None:
    seconds, hot_user, hot_workflow = seed()
    print(f"seeded {ROWS:,} audit events in {seconds:.1f} s ({_DIR / 'flowdeck.db'})")
    print(machine_line())
    print("server time (target < 200 ms each):")
    for days in (30, 366):
        timed(
            f"system stats, {days} days (admin)",
            lambda d=days: audit_reports.system_stats(SYSTEM, days=d),
        )
        timed(
            f"user activity, heavy person, {days} days",
            lambda d=days: audit_reports.user_activity(SYSTEM, hot_user, days=d),
        )
        timed(
            f"user activity, typical person, {days} days",
            lambda d=days: audit_reports.user_activity(SYSTEM, hot_user + 7, days=d),
        )
        timed(
            f"workflow summary, hot workflow, {days} days",
            lambda d=days: audit_reports.workflow_summary(SYSTEM, hot_workflow, days=d),
        )
        timed(
            f"workflow summary, typical workflow, {days} days",
            lambda d=days: audit_reports.workflow_summary(SYSTEM, hot_workflow + 9, days=d),
        )


if __name__ == "__main__":
    try:
        main()
    finally:  # ~0.9 GB of rows and indexes; FLOWDECK_BENCH_KEEP=1 keeps them to look at
        if not os.environ.get("FLOWDECK_BENCH_KEEP"):
            shutil.rmtree(_DIR, ignore_errors=True)
