"""Display rows for the Data page, built from the retention services' answers.

Pure (no Reflex, no database): unit-tested in tests/unit/ui/test_data_rows.py.
"""

from __future__ import annotations

from typing import Any

from app.core import dates
from app.core.retention import FIELDS
from app.core.stored_data import human_bytes


def when_text(iso: str | None) -> str:
    """`2026-12-02 01:05 UTC` from an ISO instant ("—" when missing)."""
    return dates.when_text(iso)


def size_cards(info: dict[str, Any]) -> dict[str, str]:
    """The database's size figures as text, and a status for the reclaim hint.

    `status`: "ok" (nothing to reclaim), "reclaimable" (free pages the next prune hands back),
    "compact" (the file is not in incremental auto-vacuum: `flowdeck db-compact` once).
    """
    free = info.get("free_bytes")
    status = "ok"
    if info.get("compaction_needed"):
        status = "compact"
    elif free:
        status = "reclaimable"
    return {
        "dialect": str(info.get("dialect") or ""),
        "total": human_bytes(int(info.get("size_bytes") or 0)),
        "file": human_bytes(int(info.get("file_bytes") or info.get("size_bytes") or 0)),
        "wal": human_bytes(int(info.get("wal_bytes") or 0)),
        "free": "—" if free is None else human_bytes(int(free)),
        "free_pages": "—" if info.get("free_pages") is None else f"{info['free_pages']:,}",
        "auto_vacuum": str(info.get("auto_vacuum") or "—"),
        "status": status,
        "checked_at": when_text(info.get("checked_at")),
    }


def table_rows(info: dict[str, Any]) -> list[dict[str, str]]:
    return [{"table": t["table"], "rows": f"{t['rows']:,}"} for t in info.get("tables") or []]


def settings_form(settings: dict[str, Any]) -> dict[str, str]:
    """The global settings as the form's text (blank: keep forever)."""
    return {name: "" if settings.get(name) is None else str(settings[name]) for name in FIELDS}


def preview_view(preview: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Totals and one row per workflow the next prune touches (most removed first)."""
    totals = {
        "executions": f"{preview.get('executions') or 0:,}",
        "data": f"{preview.get('data') or 0:,}",
        "any": "yes" if (preview.get("executions") or preview.get("data")) else "",
    }
    rows = sorted(
        preview.get("by_workflow") or [],
        key=lambda r: (-(r.get("executions") or 0), -(r.get("data") or 0), r.get("name") or ""),
    )
    return totals, [
        {
            "workflow_id": str(r["workflow_id"]),
            "name": r.get("name") or f"#{r['workflow_id']}",
            "executions": f"{r.get('executions') or 0:,}",
            "data": f"{r.get('data') or 0:,}",
            "rule": rule_text(r),
        }
        for r in rows
    ]


def rule_text(row: dict[str, Any]) -> str:
    """The rule a workflow is pruned by: `finished before 2026-11-02 · keeps last 100`."""
    parts = []
    if row.get("rows_before"):
        parts.append(f"finished before {when_text(row['rows_before'])[:10]}")
    if row.get("keep_last"):
        parts.append(f"keeps last {row['keep_last']:,}")
    if row.get("data_before"):
        parts.append(f"data before {when_text(row['data_before'])[:10]}")
    return " · ".join(parts) or "—"


def last_prune_view(last: dict[str, Any] | None) -> dict[str, str]:
    """When the last prune ran, who or what ran it, what it removed ({} when never)."""
    if not last:
        return {}
    space = last.get("space") if isinstance(last.get("space"), dict) else {}
    freed = int(space.get("freed_pages") or 0)
    return {
        "at": when_text(last.get("at")),
        "by": str(last.get("by") or "—"),
        "reason": "scheduled" if last.get("reason") == "schedule" else "by hand",
        "executions": f"{last.get('executions_deleted') or 0:,}",
        "data": f"{last.get('data_pruned') or 0:,}",
        "freed_pages": f"{freed:,}",
        "duration": f"{(last.get('duration_ms') or 0) / 1000:.1f} s",
        "finished": "" if last.get("finished", True) else "stopped at its time limit",
    }


def prune_message(result: dict[str, Any]) -> str:
    """The toast after a prune by hand."""
    deleted, emptied = result.get("executions_deleted") or 0, result.get("data_pruned") or 0
    if not deleted and not emptied:
        return "Nothing to prune: history is within the settings."
    text = f"Pruned {deleted:,} execution(s), emptied step data of {emptied:,}."
    if not result.get("finished", True):
        text += " Stopped at the time limit; prune again for the rest."
    return text
