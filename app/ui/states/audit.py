"""Admin → Audit: the filtered trail, paged by cursor, and its export as a browser download.

Only admins read the trail; `audit_query` checks that on every call, so a member (or a
forged event) gets the service's refusal in `problem` and no rows. The export is built by
`audit_query.export_events` (which checks the role and audits the export) and handed to the
browser with `rx.download`: the browser holds a session, not an API key, so it cannot call
`GET /api/audit/export`. A download travels through the websocket in one message, so it is
capped at EXPORT_CAP events; bigger sets go through the REST export, which streams.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypedDict

import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.dates import when_text
from app.core.errors import (
    AuthenticationFailed,
    FlowdeckError,
    PermissionDenied,
    Problem,
    ValidationFailed,
)
from app.services import audit_query
from app.services.audit_query import AuditFilter
from app.ui.components.json_view import pretty_json
from app.ui.states.session import SessionState, error_text, run_service

PAGE_SIZE = 50
EXPORT_CAP = 50_000
ALL = "all"  # Radix select items cannot have an empty value
TARGET_TYPES = [
    "workflow",
    "execution",
    "article",
    "alert",
    "connection",
    "user",
    "api_key",
    "secrets",
    "audit",
]
TEXT_FILTERS = ("actor", "target_id", "action")
FILTERS = (*TEXT_FILTERS, "target_type", "since", "until")
MIME = {"csv": "text/csv", "json": "application/json"}
_COLORS = (
    ("deleted", "red"),
    ("failed", "red"),
    ("rejected", "red"),
    ("revoked", "red"),
    ("deactivated", "red"),
    ("created", "green"),
    ("activated", "green"),
    ("login", "green"),
    ("rolled_back", "amber"),
    ("reverted", "amber"),
    ("cancelled", "amber"),
    ("pruned", "amber"),
    ("rotated", "amber"),
)


class AuditRow(TypedDict):
    id: int
    at: str
    actor: str
    actor_type: str
    action: str
    color: str
    target: str
    ip: str
    user_agent: str
    summary: str
    details: str


def action_color(action: str) -> str:
    """Red for removals and refusals, green for creations, amber for restores, else blue."""
    verb = action.rsplit(".", 1)[-1]
    return next((color for word, color in _COLORS if word in verb), "blue")


def details_summary(details: dict[str, Any], limit: int = 90) -> str:
    """`key: value` pairs on one line, for the table; the full JSON sits behind it."""
    parts = []
    for key, value in details.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}: {text}")
    line = ", ".join(parts)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def audit_row(event: dict[str, Any]) -> AuditRow:
    target = event["target_type"] or ""
    if event["target_id"]:
        target = f"{target}:{event['target_id']}"
    return AuditRow(
        id=event["id"],
        at=when_text(event["at"], "second"),
        actor=event["actor_label"] or event["actor_type"],
        actor_type=event["actor_type"],
        action=event["action"],
        color=action_color(event["action"]),
        target=target or "—",
        ip=event["ip"] or "—",
        user_agent=event["user_agent"] or "",
        summary=details_summary(event["details"] or {}),
        details=pretty_json(event["details"]),
    )


def _day(text: str, label: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationFailed([Problem("", f"“{label}” needs a date as YYYY-MM-DD")]) from exc


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class AuditState(SessionState):
    actor: str = ""
    target_type: str = ALL
    target_id: str = ""
    action: str = ""
    since: str = ""  # a UTC day, inclusive
    until: str = ""  # a UTC day, inclusive (the service's `until` is the next midnight)
    rows: list[AuditRow] = []
    cursors: list[int] = []  # the cursor of every page after the first
    next_cursor: int = 0
    loaded: bool = False
    problem: str = ""
    exporting: bool = False

    @rx.var
    def filtered(self) -> bool:
        chosen = (self.actor, self.target_id, self.action, self.since, self.until)
        return any(chosen) or self.target_type != ALL

    @rx.var
    def page_number(self) -> int:
        return len(self.cursors) + 1

    def _filter(self) -> AuditFilter:
        since, until = _day(self.since, "From"), _day(self.until, "To")
        if since and until and until < since:
            raise ValidationFailed([Problem("", "“To” must be on or after “From”")])
        return AuditFilter(
            actor=self.actor.strip() or None,
            target_type=None if self.target_type == ALL else self.target_type,
            target_id=self.target_id.strip() or None,
            action=self.action.strip() or None,
            since=_midnight(since) if since else None,
            until=_midnight(until) + timedelta(days=1) if until else None,  # the whole day
        )

    async def _guarded(self, work: Callable[[], Awaitable[Any]]) -> Any:
        """Run `work`; a refusal or a bad filter shows its message instead of rows."""
        try:
            return await work()
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            self.problem = error_text(exc)
            if isinstance(exc, PermissionDenied):
                self.problem = f"Only admins can read the audit trail. {self.problem}."
            self.rows, self.next_cursor, self.loaded = [], 0, True
            return None

    async def _show(self, cursor: int | None) -> None:
        flt = self._filter()
        page = await run_service(
            self, lambda a: audit_query.list_events(a, flt, limit=PAGE_SIZE, cursor=cursor)
        )
        self.rows = [audit_row(e) for e in page["items"]]
        self.next_cursor = page["next_cursor"] or 0
        self.loaded, self.problem = True, ""

    @rx.event
    async def load(self) -> Any:
        self.cursors = []
        return await self._guarded(lambda: self._show(None))

    @rx.event
    async def set_filter(self, name: str, value: str) -> Any:
        if name not in FILTERS:
            return None
        if name == "target_type" and value not in (ALL, *TARGET_TYPES):
            value = ALL
        setattr(self, name, str(value)[:200])
        return await self.load()

    @rx.event
    async def clear_filters(self) -> Any:
        self.actor = self.target_id = self.action = self.since = self.until = ""
        self.target_type = ALL
        return await self.load()

    @rx.event
    async def older(self) -> Any:
        if not self.next_cursor:
            return rx.toast.info("These are the oldest events")
        cursor = self.next_cursor

        async def work() -> None:
            await self._show(cursor)
            self.cursors = [*self.cursors, cursor]

        return await self._guarded(work)

    @rx.event
    async def newer(self) -> Any:
        cursors = self.cursors[:-1]

        async def work() -> None:
            await self._show(cursors[-1] if cursors else None)
            self.cursors = cursors

        return await self._guarded(work)

    @rx.event
    async def export(self, fmt: str) -> AsyncIterator[Any]:
        """The filtered set as a CSV or JSON file download (at most EXPORT_CAP events)."""
        fmt = fmt if fmt in MIME else "csv"
        self.exporting = True
        yield  # show the busy button while the file is built
        try:
            flt = self._filter()
            count = await run_service(self, lambda a: audit_query.count_events(a, flt))
            if count > EXPORT_CAP:
                yield rx.toast.error(
                    f"{count:,} events match; a browser export holds at most {EXPORT_CAP:,}. "
                    "Narrow the filters, or use GET /api/audit/export with an API key."
                )
                return
            chunks = await run_service(self, lambda a: audit_query.export_events(a, flt, fmt))
            text = await run_in_threadpool(lambda: "".join(chunks))
        except AuthenticationFailed:
            yield rx.redirect("/login")
            return
        except FlowdeckError as exc:
            yield rx.toast.error(error_text(exc))
            return
        finally:
            self.exporting = False
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        yield [
            rx.download(data=text, filename=f"flowdeck-audit-{stamp}.{fmt}", mime_type=MIME[fmt]),
            rx.toast.success(f"Exported {count:,} event{'s' if count != 1 else ''} as {fmt}"),
        ]
