"""Rows and timeline entries of the Incidents tab, as the browser gets them (plain text)."""

from __future__ import annotations

from typing import Any, TypedDict


class IncidentRow(TypedDict):
    id: int
    title: str
    severity: str
    status: str
    assignee: str
    opened: str
    updated: str
    href: str
    source: str


class TimelineRow(TypedDict):
    at: str
    kind: str
    by: str
    text: str


def when(iso: str | None) -> str:
    """`2026-12-01 00:22 UTC` from an ISO time; "" for none."""
    return f"{iso[:10]} {iso[11:16]} UTC" if iso else ""


def source(item: dict[str, Any]) -> str:
    if item.get("execution_id"):
        return f"run #{item['execution_id']}"
    return "by hand" if item.get("created_by") else ""


def incident_row(item: dict[str, Any]) -> IncidentRow:
    return IncidentRow(
        id=item["id"],
        title=item["title"],
        severity=item["severity"],
        status=item["status"],
        assignee=item["assignee"] or "—",
        opened=when(item["created_at"]),
        updated=when(item["updated_at"]),
        href=f"/admin/incidents/{item['id']}",
        source=source(item),
    )


def timeline_rows(item: dict[str, Any]) -> list[TimelineRow]:
    """Newest first, as a person reads a history."""
    return [
        TimelineRow(
            at=when(e.get("at")),
            kind=str(e.get("kind") or ""),
            by=str(e.get("by") or ""),
            text=str(e.get("text") or ""),
        )  # fmt: skip
        for e in reversed(item.get("timeline") or [])
    ]


def mirror_lines(item: dict[str, Any]) -> list[str]:
    lines = []
    for m in item.get("mirrors") or []:
        state = "not sent yet" if m.get("ok") is None else ("ok" if m["ok"] else m.get("error"))
        lines.append(f"{m['name']} ({m['platform']}): {m.get('step') or ''} {state}".strip())
    return lines
