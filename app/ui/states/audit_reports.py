"""Admin → Audit, the reports above the trail: charts and tables of `audit_reports`.

Admins see the system statistics (events by day and by type, the most active people, failed
sign-ins) and, when the trail below is filtered to one person or one workflow, that person's
activity or that workflow's summary. Everyone else sees only their own activity: the services
check the role on every call, so a forged event gets a refusal, not someone else's report.
"""

from __future__ import annotations

from typing import Any, TypedDict

import plotly.graph_objects as go
import reflex as rx

from app.core.dates import when_text
from app.core.errors import AuthenticationFailed, FlowdeckError
from app.core.statuses import Role
from app.services import audit_reports
from app.ui.states.audit import AuditState
from app.ui.states.session import SessionState, error_text, run_service

PERIODS = {"1": "Today", "7": "7 days", "30": "30 days", "90": "90 days", "366": "1 year"}
CHART_HEIGHT = 220
_GRID = "rgba(128, 128, 128, 0.25)"
_BLUE, _RED = "#3e63dd", "#e5484d"


def _layout(fig: go.Figure, height: int = CHART_HEIGHT) -> go.Figure:
    """Small, transparent (reads in light and dark mode), no toolbar clutter."""
    fig.update_xaxes(gridcolor=_GRID)
    fig.update_yaxes(gridcolor=_GRID, zerolinecolor=_GRID, rangemode="tozero")
    fig.update_layout(
        height=height,
        margin={"l": 40, "r": 10, "t": 10, "b": 30},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"size": 11, "color": "#8b8d98"},
        legend={"orientation": "h", "y": 1.12, "x": 0},
        bargap=0.15,
    )
    return fig


def _whole_numbers(update: Any, counts: list[int]) -> None:
    """Counts are whole: no 0.5 ticks on a small axis."""
    if max(counts, default=0) <= 8:
        update(dtick=1, tickformat="d")


def by_day_figure(
    by_day: list[dict[str, Any]], failed: list[dict[str, Any]] | None = None
) -> go.Figure:
    """Events per day as bars; failed sign-ins per day as a red line over them, if given."""
    fig = go.Figure(
        go.Bar(
            x=[d["day"] for d in by_day],
            y=[d["count"] for d in by_day],
            name="events",
            marker_color=_BLUE,
            hovertemplate="%{x}: %{y:,} events<extra></extra>",
        )
    )
    if failed is not None:
        fig.add_trace(
            go.Scatter(
                x=[d["day"] for d in failed],
                y=[d["count"] for d in failed],
                name="failed sign-ins",
                mode="lines+markers",
                line={"color": _RED, "width": 2},
                marker={"size": 4},
                hovertemplate="%{x}: %{y:,} failed sign-ins<extra></extra>",
            )
        )
    fig.update_layout(showlegend=failed is not None)
    _whole_numbers(fig.update_yaxes, [d["count"] for d in by_day])
    return _layout(fig)


def by_type_figure(by_type: list[dict[str, Any]], top: int = 10) -> go.Figure:
    """The `top` most frequent actions as horizontal bars, the biggest on top."""
    shown = list(reversed(by_type[:top]))
    fig = go.Figure(
        go.Bar(
            x=[t["count"] for t in shown],
            y=[t["action"] for t in shown],
            orientation="h",
            marker_color=_BLUE,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    fig.update_layout(showlegend=False)
    _whole_numbers(fig.update_xaxes, [t["count"] for t in shown])
    fig = _layout(fig, max(CHART_HEIGHT, 22 * len(shown) + 40))
    fig.update_layout(margin={"l": 140, "r": 10, "t": 10, "b": 30})
    return fig


class CountRow(TypedDict):
    key: str
    label: str
    count: int


class IpRow(TypedDict):
    ip: str
    count: int
    last_at: str


class EventRow(TypedDict):
    at: str
    who: str
    action: str
    detail: str


class ActorRow(TypedDict):
    label: str
    changes: int
    runs: int


def _when(iso: str) -> str:
    return when_text(iso)


def _counts(items: list[dict[str, Any]], key: str, label: str | None = None) -> list[CountRow]:
    return [
        CountRow(key=str(i.get(key) or ""), label=str(i[label or key]), count=int(i["count"]))
        for i in items
    ]


class AuditReportsState(SessionState):
    days: str = "30"
    admin_view: bool = False
    loaded: bool = False
    problem: str = ""
    # System statistics (admins).
    total_events: int = 0
    day_figure: go.Figure = go.Figure()
    type_figure: go.Figure = go.Figure()
    most_active: list[CountRow] = []
    failed_count: int = 0
    failed_ips: list[IpRow] = []
    failed_recent: list[EventRow] = []
    # One person's activity (a member's own; an admin's filtered person).
    person_label: str = ""
    person_total: int = 0
    person_figure: go.Figure = go.Figure()
    person_actions: list[CountRow] = []
    person_recent: list[EventRow] = []
    # One workflow's summary (an admin's or member's filtered workflow).
    workflow_name: str = ""
    workflow_changes: int = 0
    workflow_runs: int = 0
    workflow_other_runs: int = 0
    workflow_actors: list[ActorRow] = []
    workflow_last: list[EventRow] = []

    @rx.var
    def person_total_label(self) -> str:
        return f"{self.person_total:,} event{'' if self.person_total == 1 else 's'}"

    @rx.var
    def total_events_label(self) -> str:
        return f"{self.total_events:,} event{'' if self.total_events == 1 else 's'}"

    @rx.var
    def period_label(self) -> str:
        return PERIODS.get(self.days, "")

    @rx.event
    async def set_days(self, value: str | list[str]) -> Any:
        value = value[0] if isinstance(value, list) and value else value
        self.days = value if isinstance(value, str) and value in PERIODS else "30"
        return await self.refresh()

    @rx.event
    async def refresh(self) -> Any:
        """(Re)load every report for the period and the trail's current filters."""
        try:
            actor = await self._actor()
            days = int(self.days)
            self.admin_view = actor.role == Role.ADMIN
            audit = await self.get_state(AuditState)
            person, workflow = audit.actor.strip(), audit.target_id.strip()
            if audit.target_type != "workflow" or not workflow.isdigit() or len(workflow) > 18:
                workflow = ""
            if self.admin_view:
                stats = await run_service(self, lambda a: audit_reports.system_stats(a, days=days))
                self._show_stats(stats)
                user_id = (
                    await run_service(self, lambda a: audit_reports.find_person(a, person))
                    if person
                    else None
                )
            else:
                user_id = actor.user_id
            self._clear_person()
            if user_id is not None:
                uid = user_id
                activity = await run_service(
                    self, lambda a: audit_reports.user_activity(a, uid, days=days)
                )
                self._show_person(activity)
            self._clear_workflow()
            if workflow and actor.role == Role.ADMIN:
                wid = int(workflow)
                try:
                    summary = await run_service(
                        self, lambda a: audit_reports.workflow_summary(a, wid, days=days)
                    )
                    self._show_workflow(summary)
                except FlowdeckError as exc:
                    self.workflow_name = f"— {error_text(exc)}"
            self.problem = ""
        except AuthenticationFailed:
            return rx.redirect("/login")
        except FlowdeckError as exc:
            self.problem = error_text(exc)
        self.loaded = True
        return None

    @rx.event
    async def show_person(self, user_id: str) -> Any:
        """A click on a most-active person: filter the trail (and the reports) to them."""
        return [AuditState.set_filter("actor", str(user_id)[:20]), AuditReportsState.refresh]

    def _show_stats(self, stats: dict[str, Any]) -> None:
        failed = stats["failed_logins"]
        self.total_events = stats["total_events"]
        self.day_figure = by_day_figure(stats["by_day"], failed["by_day"])
        self.type_figure = by_type_figure(stats["by_type"])
        self.most_active = _counts(stats["most_active"], "actor_id", "actor_label")
        self.failed_count = failed["count"]
        self.failed_ips = [
            IpRow(ip=i["ip"], count=i["count"], last_at=_when(i["last_at"]))
            for i in failed["recent_ips"]
        ]
        self.failed_recent = [
            EventRow(at=_when(f["at"]), who=f["email"] or "—", action=f["ip"] or "—",
                     detail=f["reason"])
            for f in failed["recent"][:10]
        ]  # fmt: skip

    def _clear_person(self) -> None:
        self.person_label, self.person_total = "", 0
        self.person_actions, self.person_recent = [], []
        self.person_figure = go.Figure()

    def _show_person(self, activity: dict[str, Any]) -> None:
        self.person_label = activity["user"]["email"]
        self.person_total = activity["total_events"]
        self.person_figure = by_day_figure(activity["by_day"])
        self.person_actions = _counts(activity["by_action"], "action")
        self.person_recent = [
            EventRow(at=_when(e["at"]), who=e["actor_label"], action=e["action"],
                     detail=e["summary"] or "—")
            for e in activity["recent"]
        ]  # fmt: skip

    def _clear_workflow(self) -> None:
        self.workflow_name = ""
        self.workflow_changes = self.workflow_runs = self.workflow_other_runs = 0
        self.workflow_actors, self.workflow_last = [], []

    def _show_workflow(self, summary: dict[str, Any]) -> None:
        self.workflow_name = summary["workflow"]["name"]
        self.workflow_changes, self.workflow_runs = summary["changes"], summary["runs"]
        self.workflow_other_runs = summary["other_runs"]
        self.workflow_actors = [
            ActorRow(label=a["actor_label"], changes=a["changes"], runs=a["runs"])
            for a in summary["by_actor"]
        ]
        self.workflow_last = [
            EventRow(at=_when(c["at"]), who=c["actor_label"], action=c["action"],
                     detail=c["summary"] or "—")
            for c in summary["last_changes"]
        ]  # fmt: skip
