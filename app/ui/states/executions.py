"""Admin → Executions: the filtered, cursor-paged list (live on its first page).

The unfiltered first page is not loaded here at all: the page shows `LiveOps.executions`,
which the server pushes on every engine event. This state only holds what a person asked
for beyond that — a filter or an older page — and the cursors to walk back.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, TypedDict

import reflex as rx

from app.core import list_query
from app.core.errors import AuthenticationFailed, FlowdeckError
from app.core.statuses import ExecutionStatus
from app.db.types import utcnow
from app.services import executions, workflows
from app.services.executions import ExecutionFilter
from app.services.workflows import WorkflowFilter
from app.ui.live import ExecRow, exec_row
from app.ui.states.execution_bulk import ExecutionBulk
from app.ui.states.session import SessionState, error_text, run_service

PAGE_SIZE = 25  # the same size as LiveOps.executions, so page one looks the same either way
ALL = list_query.ALL  # Radix select items cannot have an empty value
RANGES: dict[str, timedelta | None] = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    ALL: None,
}


# The filters in the address: `?workflow=3&status=failed&trigger=manual&range=24h`.
URL_FILTERS: dict[str, tuple[str, ...] | None] = {
    "workflow": None,
    "status": tuple(s.value for s in ExecutionStatus),
    "trigger": executions.LISTED_TRIGGERS,
    "range": tuple(RANGES),
}


class WorkflowOption(TypedDict):
    id: str
    name: str


class ExecutionsState(ExecutionBulk, SessionState):
    workflow_filter: str = ALL
    status_filter: str = ALL
    trigger_filter: str = ALL
    range_filter: str = ALL
    rows: list[ExecRow] = []
    cursors: list[str] = []  # the cursor of every page after the first, oldest last
    next_cursor: str = ""
    workflow_options: list[WorkflowOption] = []
    loaded: bool = False

    @rx.var
    def filtered(self) -> bool:
        chosen = (self.workflow_filter, self.status_filter, self.trigger_filter, self.range_filter)
        return any(value != ALL for value in chosen)

    @rx.var
    def live(self) -> bool:
        """Page one without a filter: the rows come from the server's live feed."""
        return not self.filtered and not self.cursors

    @rx.var
    def page_number(self) -> int:
        return len(self.cursors) + 1

    def _filter(self, cursor: str | None) -> ExecutionFilter:
        span = RANGES.get(self.range_filter)

        def chosen(value: str) -> str | None:
            return None if value == ALL else value

        workflow = chosen(self.workflow_filter)
        return ExecutionFilter(
            workflow_id=int(workflow) if workflow and workflow.isdigit() else None,
            status=chosen(self.status_filter),
            trigger_type=chosen(self.trigger_filter),
            since=utcnow() - span if span else None,
            limit=PAGE_SIZE,
            cursor=cursor,
        )

    async def _fetch(self, cursor: str | None) -> dict[str, Any]:
        flt = self._filter(cursor)
        return await run_service(self, lambda actor: executions.list_executions(actor, flt))

    def _show(self, page: dict[str, Any]) -> None:
        self.rows = [exec_row(item) for item in page["items"]]
        self.next_cursor = page["next_cursor"] or ""
        self.loaded = True

    async def _guarded(self, work: Any) -> Any:
        """Run `work()`; turn refusals into a redirect or an error toast."""
        try:
            return await work()
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))

    def _url_filters(self) -> dict[str, str]:
        return {
            "workflow": self.workflow_filter,
            "status": self.status_filter,
            "trigger": self.trigger_filter,
            "range": self.range_filter,
        }

    def _write_url(self) -> Any:
        """Put the filters in the address (replacing it: no history entry per change)."""
        query = json.dumps(list_query.query_string(self._url_filters()))
        # Next's history entry carries its own url/as: keep them the same, so Back comes here.
        return rx.call_script(
            f"(() => {{ const u = window.location.pathname + {query}; "
            "window.history.replaceState({...window.history.state, url: u, as: u}, '', u); })()"
        )

    @rx.event
    async def load(self) -> Any:
        query = self.router.url.query_parameters
        if any(key in query for key in URL_FILTERS):  # a shared or reloaded filtered view
            chosen = list_query.read_filters(query, URL_FILTERS)
            if chosen != self._url_filters():
                self.cursors = []
                self._clear_selection()
            self.workflow_filter, self.status_filter = chosen["workflow"], chosen["status"]
            self.trigger_filter, self.range_filter = chosen["trigger"], chosen["range"]
        # else the tab's own filters stay (back from a run's page) and go into the address

        async def work() -> None:
            listed, _total = await run_service(
                self, lambda a: workflows.list_workflows(a, WorkflowFilter(limit=500))
            )
            page = await self._fetch(self.cursors[-1] if self.cursors else None)
            self.workflow_options = [
                WorkflowOption(id=str(w["id"]), name=w["name"]) for w in listed
            ]
            self._show(page)

        failed = await self._guarded(work)
        if failed is not None:
            return failed
        return self._write_url() if self.filtered else None

    async def _refilter(self) -> Any:
        self.cursors = []
        self._clear_selection()  # a selection is of what the old filter showed

        async def work() -> None:
            self._show(await self._fetch(None))

        failed = await self._guarded(work)
        return failed if failed is not None else self._write_url()

    @rx.event
    async def set_workflow_filter(self, value: str) -> Any:
        self.workflow_filter = value
        return await self._refilter()

    @rx.event
    async def set_status_filter(self, value: str) -> Any:
        self.status_filter = value
        return await self._refilter()

    @rx.event
    async def set_trigger_filter(self, value: str) -> Any:
        self.trigger_filter = value
        return await self._refilter()

    @rx.event
    async def set_range_filter(self, value: str) -> Any:
        self.range_filter = value if value in RANGES else ALL
        return await self._refilter()

    @rx.event
    async def clear_filters(self) -> Any:
        self.workflow_filter = self.status_filter = self.trigger_filter = ALL
        self.range_filter = ALL
        return await self._refilter()

    @rx.event
    async def older(self) -> Any:
        async def work() -> Any:
            cursor = self.next_cursor
            if self.live:
                # The live page has moved on since load; ask where its end is now.
                cursor = (await self._fetch(None))["next_cursor"] or ""
            if not cursor:
                return rx.toast.info("These are the oldest executions")
            page = await self._fetch(cursor)
            self.cursors = [*self.cursors, cursor]
            self._show(page)
            return None

        return await self._guarded(work)

    @rx.event
    async def newer(self) -> Any:
        async def work() -> None:
            cursors = self.cursors[:-1]
            page = await self._fetch(cursors[-1] if cursors else None)
            self.cursors = cursors
            self._show(page)

        return await self._guarded(work)
