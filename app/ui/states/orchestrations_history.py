"""An orchestration's History tab: its versions (who, when, what changed in words), two of
them compared (the words and the changed fields, calls matched by id), and a rollback with a
required reason, written as a new version.

Reading and restoring go through `orchestration_history` via `run_service`, so its role checks
apply to a forged event as to a click. After a rollback the page's form is reloaded (a Save
from the old form would otherwise undo the rollback).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import reflex as rx

from app.core.doc_changes import document_changes, plain_words
from app.core.errors import AuthenticationFailed, FlowdeckError, ValidationFailed
from app.services import orchestration_history, users
from app.ui.components.diff_view import FieldChange
from app.ui.states.orchestrations_detail import OrchestrationDetailState
from app.ui.states.session import SessionState, error_text, run_service
from app.ui.states.version_views import (
    VersionRow,
    bounded_number,
    field_rows,
    version_row,
)

HISTORY_LIMIT = 200


def _calls(definition: Mapping[str, Any]) -> dict[str, Any]:
    calls = definition.get("calls")
    return {"actions": calls if isinstance(calls, list) else []}


def orchestration_fields(
    diff: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[FieldChange]:
    """The field list of a compare: one row per value that differs, calls matched by id
    (`calls.<id>.<field>`), secrets masked (`app.core.doc_changes`; `diff` is DeepDiff's
    report the API answers)."""
    return field_rows(document_changes(before, after, by_id=["calls"]))


class OrchestrationHistoryState(SessionState):
    history_id: int = 0
    versions: list[VersionRow] = []
    versions_total: int = 0
    current: int = 0
    picked: list[int] = []
    compared: str = ""
    words: list[str] = []
    fields: list[FieldChange] = []
    restore_number: int = 0
    reason: str = ""
    reason_error: str = ""
    restore_error: str = ""
    history_problem: str = ""

    def _route_id(self) -> int:
        raw = str(self.rx_router_page.params.get("orchestration_id", ""))
        return bounded_number(raw) if raw.isdigit() and len(raw) < 12 else 0

    def _clear_diff(self, *, keep_picked: bool = False) -> None:
        self.picked = self.picked if keep_picked else []
        self.compared, self.words, self.fields = "", [], []

    async def _load(self, orch_id: int) -> None:
        data = await run_service(
            self,
            lambda a: orchestration_history.list_versions(a, orch_id, limit=HISTORY_LIMIT),
        )
        authors = [v.get("changed_by") for v in data["items"]]
        emails = await run_service(self, lambda a: users.emails_by_id(a, authors))
        self.history_id, self.current = orch_id, data["current_version"]
        self.versions = [version_row(v, emails, self.current) for v in data["items"]]
        self.versions_total = data["total"]
        self.history_problem = ""
        self._clear_diff()
        if len(self.versions) >= 2:
            self.picked = [self.versions[1]["number"], self.versions[0]["number"]]
            await self._compare()

    async def _compare(self) -> None:
        a, b = sorted(self.picked)
        orch_id = self.history_id
        data = await run_service(self, lambda s: orchestration_history.compare(s, orch_id, a, b))
        before, after = data["a"]["definition"], data["b"]["definition"]
        self.words = [plain_words(w) for w in data["summary"]]
        self.fields = orchestration_fields(data["diff"], before, after)
        self.compared = f"v{a} → v{b}"

    async def _guarded(self, work: Any) -> Any:
        try:
            await work()
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            self.history_problem = error_text(exc)
            self.versions, self.versions_total = [], 0
            self._clear_diff()
        return None

    @rx.event
    async def load(self) -> Any:
        """The tab opened: this orchestration's versions, the newest two compared."""
        orch_id = self._route_id()
        self.history_id, self.versions = 0, []
        if not orch_id:
            return None
        return await self._guarded(lambda: self._load(orch_id))

    @rx.event
    async def toggle_pick(self, number: int) -> Any:
        """Tick a version to compare; the two newest ticks are compared at once."""
        number = bounded_number(number)
        if not number or not self.history_id:
            return None
        if number in self.picked:
            self.picked = [n for n in self.picked if n != number]
        else:
            self.picked = [*self.picked, number][-2:]
        if len(self.picked) < 2:
            self._clear_diff(keep_picked=True)
            return None
        return await self._guarded(self._compare)

    @rx.event
    def ask_restore(self, number: int) -> None:
        self.restore_number, self.reason = bounded_number(number), ""
        self.reason_error = self.restore_error = ""

    @rx.event
    def close_restore(self, _open: bool = False) -> None:
        self.restore_number = 0

    @rx.event
    def set_reason(self, text: str) -> None:
        self.reason, self.reason_error = str(text)[:4000], ""

    @rx.event
    async def confirm_restore(self) -> Any:
        orch_id, number, reason = self.history_id, self.restore_number, self.reason
        self.reason_error = self.restore_error = ""
        try:
            result = await run_service(
                self, lambda a: orchestration_history.rollback(a, orch_id, number, reason)
            )
            await self._load(orch_id)
        except AuthenticationFailed:
            return rx.redirect("/login")
        except ValidationFailed as exc:
            message = exc.for_path("reason") or ""
            self.reason_error = message[:1].upper() + message[1:]
            self.restore_error = "" if message else error_text(exc)
            return None
        except FlowdeckError as exc:
            self.restore_error = error_text(exc)
            return None
        self.restore_number = 0
        made = result["version"]["version_number"]
        return [
            rx.toast.success(f"Rolled back to version {number}: now version {made}"),
            OrchestrationDetailState.reload_after_rollback,
        ]

    @rx.var
    def history_note(self) -> str:
        if self.versions_total <= len(self.versions):
            return ""
        shown, total = len(self.versions), self.versions_total
        return f"Showing the newest {shown} of {total} versions; the API lists the rest."

    @rx.var
    def compare_hint(self) -> str:
        if len(self.versions) < 2:
            return "Only one version so far. Save a change and come back to compare."
        return "Tick two versions to compare them."
