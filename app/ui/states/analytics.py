"""Admin → Analytics: runs over a period, charted, and the busiest, slowest and most failing
workflows. `AnalyticsCharts` (the period, the four charts, their table views and CSV downloads)
is shared with each workflow's Performance panel (`states/workflow_performance.py`).

The numbers come only from `app.services.analytics` (which checks the role), called in a
thread from a background event, so the page shows its loading state while they are counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import plotly.graph_objects as go
import reflex as rx
from starlette.concurrency import run_in_threadpool

from app.core.analytics import to_csv
from app.core.errors import AuthenticationFailed, FlowdeckError
from app.services import analytics, auth
from app.services.actor import Actor
from app.ui.components.analytics_charts import (
    FIGURES,
    PERIODS,
    csv_rows,
    duration_text,
    parse_range,
    rate_text,
    series_rows,
    totals_text,
    when_text,
)
from app.ui.states.session import SessionState, error_text

TABLE_KEYS = ("busiest", "slowest", "most_failing")


def period_args(period: str, start: str, end: str) -> dict[str, Any]:
    """The service's period arguments for the chosen period (`custom`: the checked range)."""
    if period == "custom":
        begin, stop = parse_range(start, end)
        return {"start": begin, "end": stop}
    return {"days": int(period) if period in PERIODS else 7}


class AnalyticsCharts(rx.State, mixin=True):
    """A period and the charts of one analytics answer. A state using it implements
    `_service(args)`: a blocking call `(actor) -> answer` for the period args, and may extend
    `_show(answer)`."""

    period: str = "7"
    custom_start: str = ""
    custom_end: str = ""
    range_error: str = ""
    loading: bool = False
    loaded: bool = False
    problem: str = ""
    period_text: str = ""
    granularity: str = "day"
    has_runs: bool = False
    totals: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    #: Charts shown as their table instead of the figure.
    tables: list[str] = []
    fig_executions: go.Figure = go.Figure()
    fig_success_rate: go.Figure = go.Figure()
    fig_duration: go.Figure = go.Figure()
    fig_queue_wait: go.Figure = go.Figure()
    _csv: dict[str, list[dict[str, Any]]] = {}
    _generation: int = 0

    def _service(self, args: dict[str, Any]) -> Callable[[Actor], dict[str, Any]]:
        raise NotImplementedError

    def _show(self, answer: dict[str, Any]) -> None:
        period = answer["period"]
        self.granularity = period.get("granularity", "day")
        self.period_text = (
            when_text(period["start"], self.granularity)
            + " → "
            + when_text(period["end"], self.granularity)
            + (" UTC" if self.granularity == "day" else "")  # hours carry their own "UTC"
        )
        series = answer.get("series") or []
        totals = answer.get("totals") or {}
        self.totals = totals_text(totals)
        self.has_runs = bool(totals.get("executions"))
        self.rows = series_rows(series, self.granularity)
        self.fig_executions = FIGURES["executions"](series)
        self.fig_success_rate = FIGURES["success_rate"](series)
        self.fig_duration = FIGURES["duration"](series)
        self.fig_queue_wait = FIGURES["queue_wait"](series)
        self._csv = {chart: csv_rows(series, chart) for chart in FIGURES}

    def _args(self) -> dict[str, Any] | None:
        try:
            args = period_args(self.period, self.custom_start, self.custom_end)
        except ValueError as exc:
            self.range_error = str(exc)
            return None
        self.range_error = ""
        return args

    def _choose(self, value: str) -> bool:
        """Take a period choice; True when the charts should be fetched now (a custom range
        waits for Apply)."""
        self.period = value if value in PERIODS or value == "custom" else "7"
        if self.period == "custom":
            if not self.custom_start:
                today = datetime.now(UTC).date()
                self.custom_start = (today - timedelta(days=13)).isoformat()
                self.custom_end = today.isoformat()
            return False
        self.range_error = ""
        return True

    @rx.event
    def set_period(self, value: str | list[str]) -> Any:
        return type(self).refresh if self._choose(str(value)) else None

    @rx.event
    def set_custom_start(self, value: str) -> None:
        self.custom_start = value

    @rx.event
    def set_custom_end(self, value: str) -> None:
        self.custom_end = value

    @rx.event
    def apply_range(self) -> Any:
        return type(self).refresh if self._args() is not None else None

    @rx.event
    def show_as(self, chart: str, mode: str | list[str]) -> None:
        """Show one chart as its `table` or as the `chart`."""
        others = [c for c in self.tables if c != chart]
        self.tables = [*others, chart] if mode == "table" else others

    @rx.event
    def download_csv(self, chart: str) -> Any:
        rows = self._csv.get(chart)
        if rows is None:
            return None
        stamp = self.period if self.period != "custom" else f"{self.custom_start}_{self.custom_end}"
        suffix = f"{stamp}d" if stamp.isdigit() else stamp
        return rx.download(
            data=to_csv(rows),
            filename=f"flowdeck-{self._csv_name()}-{chart}-{suffix}.csv",
            mime_type="text/csv",
        )

    def _csv_name(self) -> str:
        return "analytics"

    @rx.event(background=True)
    async def refresh(self) -> Any:
        async with self:
            args = self._args()
            if args is None:
                return None
            self._generation += 1
            generation, token = self._generation, self.token
            call = self._service(args)
            self.loading, self.problem = True, ""
        try:
            actor = await run_in_threadpool(auth.authenticate, token)
            answer = await run_in_threadpool(call, actor)
        except AuthenticationFailed:
            return rx.redirect("/login")
        except (FlowdeckError, ValueError) as exc:
            async with self:
                if generation == self._generation:
                    self.problem = error_text(exc) if isinstance(exc, FlowdeckError) else str(exc)
                    self.loading = False
            return None
        async with self:
            if generation == self._generation:  # a later period choice wins
                self._show(answer)
                self.loading, self.loaded = False, True
        return None


def _ranked(key: str, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for row in rows:
        item = {"workflow_id": str(row["workflow_id"]), "name": row["name"] or "—",
                "executions": f"{row.get('executions') or 0:,}"}  # fmt: skip
        if key == "slowest":
            item["p95"] = duration_text(row.get("p95_ms"))
        if key == "most_failing":
            item.update(
                failures=f"{row.get('failures') or 0:,}",
                failure_rate=rate_text(row.get("failure_rate")),
                first=when_text(row.get("first_failure_at")),
                last=when_text(row.get("last_failure_at")),
                step=row.get("top_action_id") or "",
            )
        out.append(item)
    return out


class AnalyticsState(AnalyticsCharts, SessionState):
    busiest: list[dict[str, str]] = []
    slowest: list[dict[str, str]] = []
    most_failing: list[dict[str, str]] = []

    def _service(self, args: dict[str, Any]) -> Callable[[Actor], dict[str, Any]]:
        def call(actor: Actor) -> dict[str, Any]:
            return analytics.overview(actor, **args)

        return call

    def _show(self, answer: dict[str, Any]) -> None:
        AnalyticsCharts._show(self, answer)
        csv = dict(self._csv)
        for key in TABLE_KEYS:
            csv[key] = answer.get(key) or []
            setattr(self, key, _ranked(key, csv[key]))
        self._csv = csv

    @rx.var
    def drill_query(self) -> str:
        """The period as a query string for links to a workflow's Performance panel."""
        if self.period == "custom":
            return f"start={self.custom_start}&end={self.custom_end}"
        return f"days={self.period}"

    @rx.event
    async def load(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        return AnalyticsState.refresh
