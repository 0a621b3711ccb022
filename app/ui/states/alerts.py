"""Admin → Alerts: who hears about which workflow events, and did the message arrive."""

from __future__ import annotations

from typing import Any, TypedDict

import reflex as rx

from app.core.alert_words import DEFAULT_EVENTS, sent_text, watches
from app.core.dates import when_text
from app.core.errors import FlowdeckError, Problem, ValidationFailed
from app.services import alerts, connections, users, workflows
from app.ui.states.delete_confirm import DeleteConfirm
from app.ui.states.session import SessionState, error_text, run_service

EVENTS = ["workflow_start", "workflow_complete", "workflow_fail", "step_fail"]
ALL_WORKFLOWS = "all workflows"
SEVERITIES = ("info", "warning", "error", "critical")
#: The optional filter: "any" sends every ticked event (the label is `severity`).
ANY_SEVERITY = "any"
MINIMA = ("warning", "error", "critical")
NO_CONNECTION = "none"


class AlertRow(TypedDict):
    id: int
    name: str
    alert_type: str
    channel: str
    workflow: str
    events: str
    watches: str  # what it listens for, in words ("Failed runs of Nightly import")
    severity: str
    minimum: str
    active: bool
    counts: str
    last_test: str
    last_test_ok: bool


class Person(TypedDict):
    id: int
    label: str


class DeliveryRow(TypedDict):
    id: int
    event: str
    status: str
    attempts: int
    code: str
    latency: str
    error: str
    at: str


def alert_row(item: dict[str, Any]) -> AlertRow:
    return AlertRow(
        id=item["id"],
        name=item["name"],
        alert_type=item["alert_type"],
        channel=item["channel"] or "—",
        workflow=item["workflow_name"] or "All workflows",
        events=", ".join(e.replace("_", " ") for e in item["events"]),
        watches=watches(item["events"], item["workflow_name"], item.get("min_severity")),
        severity=item["severity"],
        minimum=f"only ≥ {item['min_severity']}" if item.get("min_severity") else "",
        active=item["is_active"],
        counts=sent_text(
            item["delivered_count"],
            item["failed_count"],
            item.get("test_delivered", 0),
            item.get("test_failed", 0),
        ),
        last_test="",
        last_test_ok=False,
    )


# The fields the form shows an error under; any other problem goes to the form's callout.
_FIELDS = {"name", "alert_type", "severity", "min_severity", "channel", "workflow_id",
           "connection_id", "events", "message", "recipients"}  # fmt: skip


def form_errors(problems: list[Problem]) -> dict[str, str]:
    """Problems by form field (`config.message` → `message`, `events[1]` → `events`)."""
    errors: dict[str, str] = {}
    for problem in problems:
        field = problem.path.removeprefix("config.").split(".")[0].split("[")[0]
        if field in _FIELDS:
            errors.setdefault(field, problem.message)
        else:
            text = f"{problem.path}: {problem.message}" if problem.path else problem.message
            errors["form"] = f"{errors['form']}; {text}" if "form" in errors else text
    return errors


class AlertsState(DeleteConfirm, SessionState):
    rows: list[AlertRow] = []
    loaded: bool = False
    workflow_names: list[str] = [ALL_WORKFLOWS]
    connection_names: list[str] = [NO_CONNECTION]
    dialog_open: bool = False
    editing_id: int = 0
    form: dict[str, str] = {}
    events: list[str] = []
    people: list[Person] = []  # who an in-app alert can go to
    recipients: list[int] = []  # picked for this alert; none = every admin and member
    errors: dict[str, str] = {}
    testing_id: int = 0
    deliveries_for: int = 0
    deliveries: list[DeliveryRow] = []
    _workflow_ids: dict[str, int] = {}
    _connection_ids: dict[str, int] = {}

    async def _reload(self) -> None:
        items = await run_service(self, alerts.list_alerts)
        results = {r["id"]: (r["last_test"], r["last_test_ok"]) for r in self.rows}
        self.rows = []
        for item in items:
            row = alert_row(item)
            row["last_test"], row["last_test_ok"] = results.get(item["id"], ("", False))
            self.rows.append(row)
        listed, _ = await run_service(self, workflows.list_workflows)
        self._workflow_ids = {w["name"]: w["id"] for w in listed}
        self.workflow_names = [ALL_WORKFLOWS, *self._workflow_ids]
        self.people = [
            Person(id=uid, label=label)
            for uid, label in await run_service(self, users.alert_recipients)
        ]
        conns = await run_service(self, connections.list_connections)
        self._connection_ids = {f"{c['name']} ({c['platform']})": c["id"] for c in conns}
        self.connection_names = [NO_CONNECTION, *self._connection_ids]
        self.loaded = True

    @rx.event
    async def load(self) -> Any:
        redirect = await self.guard_admin_area()
        if redirect is not None:
            return redirect
        await self._reload()
        return None

    @rx.event
    def open_new(self) -> None:
        self.editing_id, self.errors = 0, {}
        self.form = {
            "name": "",
            "alert_type": "slack",
            "channel": "",
            "severity": "warning",
            "min_severity": ANY_SEVERITY,
            "workflow": ALL_WORKFLOWS,
            "connection": NO_CONNECTION,
            "message": "",
        }
        self.events = list(DEFAULT_EVENTS)  # one message per failure
        self.recipients = []
        self.dialog_open = True

    @rx.event
    async def open_edit(self, alert_id: int) -> Any:
        try:
            item = await run_service(self, lambda a: alerts.get_alert(a, alert_id))
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        names = {v: k for k, v in self._workflow_ids.items()}
        conns = {v: k for k, v in self._connection_ids.items()}
        self.editing_id, self.errors = alert_id, {}
        self.form = {
            "name": item["name"],
            "alert_type": item["alert_type"],
            "severity": item["severity"],
            "min_severity": item.get("min_severity") or ANY_SEVERITY,
            "workflow": names.get(item["workflow_id"], ALL_WORKFLOWS),
            "connection": conns.get(item["connection_id"], NO_CONNECTION),
            "message": (item.get("config") or {}).get("message") or "",
        }
        self.events = list(item["events"])
        self.recipients = list((item.get("config") or {}).get("recipients") or [])
        self.dialog_open = True
        return None

    @rx.event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @rx.event
    def set_form(self, name: str, value: str) -> None:
        self.form = {**self.form, name: value}

    @rx.event
    def toggle_event(self, event: str, on: bool) -> None:
        self.events = [
            e for e in EVENTS if (e == event and on) or (e != event and e in self.events)
        ]

    @rx.event
    def toggle_recipient(self, user_id: int, on: bool) -> None:
        picked = {*self.recipients, user_id} if on else set(self.recipients) - {user_id}
        self.recipients = [p["id"] for p in self.people if p["id"] in picked]

    def _body(self, channel: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.form.get("name", ""),
            "alertType": self.form.get("alert_type"),
            "severity": self.form.get("severity"),
            "minSeverity": minimum
            if (minimum := self.form.get("min_severity")) in MINIMA
            else None,
            "events": list(self.events),
            "workflowId": self._workflow_ids.get(self.form.get("workflow", "")),
            "connectionId": self._connection_ids.get(self.form.get("connection", "")),
            # null removes a stored template
            "config": {"message": self.form.get("message", "").strip() or None},
        }
        if self.form.get("alert_type") == "in_app":  # none picked (null): everyone
            body["config"]["recipients"] = list(self.recipients) or None
        channel = channel.strip()
        if channel or not self.editing_id:
            body["channel"] = channel
        return body

    @rx.event
    async def save(self, submitted: dict[str, Any]) -> Any:
        """The target comes from the form submission only: it may be a secret URL, so it
        never becomes a state var."""
        self.errors = {}
        body, editing = self._body(str(submitted.get("channel", ""))), self.editing_id
        try:
            await run_service(
                self,
                lambda a: (
                    alerts.update_alert(a, editing, body)
                    if editing
                    else alerts.create_alert(a, body)
                ),
            )
        except ValidationFailed as exc:
            self.errors = form_errors(exc.problems)
            return None
        except FlowdeckError as exc:
            self.errors = {"form": error_text(exc)}
            return None
        self.dialog_open = False
        await self._reload()
        return rx.toast.success("Alert saved. Use Send test to check the channel.")

    @rx.event
    async def send_test(self, alert_id: int) -> Any:
        self.testing_id = alert_id
        try:
            actor = await self._actor()
            result = await alerts.send_test(actor, alert_id)
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        finally:
            self.testing_id = 0
        text = (
            f"Delivered ({result.get('response_code') or 'ok'}, "
            f"{result.get('latency_ms') or 0:.0f} ms)"
            if result["ok"]
            else f"Failed: {result.get('error') or 'no answer'}"
        )
        await self._reload()
        for row in self.rows:
            if row["id"] == alert_id:
                row["last_test"], row["last_test_ok"] = text, bool(result["ok"])
        self.rows = list(self.rows)
        return None

    @rx.event
    async def toggle_active(self, alert_id: int, active: bool) -> Any:
        try:
            await run_service(
                self, lambda a: alerts.update_alert(a, alert_id, {"isActive": active})
            )
            await self._reload()
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        return rx.toast.success("Alert on" if active else "Alert off")

    async def _delete(self, target_id: int) -> None:
        await run_service(self, lambda a: alerts.delete_alert(a, target_id))
        await self._reload()

    @rx.event
    async def show_deliveries(self, alert_id: int) -> Any:
        try:
            page = await run_service(self, lambda a: alerts.list_deliveries(a, alert_id))
        except FlowdeckError as exc:
            return rx.toast.error(error_text(exc))
        self.deliveries_for = alert_id
        self.deliveries = [
            DeliveryRow(
                id=d["id"],
                event=d["event"],
                status=d["status"],
                attempts=d["attempts"],
                code=str(d.get("response_code") or "—"),
                latency=f"{d['latency_ms']:.0f} ms" if d.get("latency_ms") else "—",
                error=d.get("error") or "",
                at=when_text(d.get("created_at"), "second"),
            )
            for d in page["items"]
        ]
        return None

    @rx.event
    def close_deliveries(self, _open: bool = False) -> None:
        self.deliveries_for = 0
