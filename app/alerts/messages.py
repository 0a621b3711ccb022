"""What an alert says: what happened, in which workflow and step, the error, and a link. Pure.

One `AlertMessage` is built per delivery and each channel renders it in its own format
(Slack blocks, Telegram HTML, an email, a JSON body), escaping as that format needs: workflow
names and errors come from users and remote services.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from app.alerts.events import AlertEvent
from app.core.templates import TemplateError, render_value

MAX_ERROR = 1000
MAX_TEMPLATE = 2000
_TITLES = {
    "workflow_start": "Workflow started",
    "workflow_complete": "Workflow succeeded",
    "workflow_fail": "Workflow failed",
    "step_fail": "Step failed",
}


@dataclass(frozen=True)
class AlertMessage:
    """The content of one alert, independent of the channel that carries it."""

    event: str
    severity: str
    title: str
    summary: str
    facts: tuple[tuple[str, str], ...] = ()
    link: str | None = None
    link_label: str = "View execution"
    note: str | None = None  # "(and 9 more …)" after a collapsed storm
    workflow_id: int | None = None
    workflow_name: str = ""
    execution_id: int | None = None
    step: str | None = None
    error: str | None = None
    status: str = ""
    at: str = ""
    delivery_id: int | None = None

    def text(self) -> str:
        """Plain text: the stored copy, the email's text part, the Slack fallback."""
        lines = [f"[{self.severity.upper()}] {self.title}", self.summary]
        if self.note:
            lines.append(self.note)
        lines += [f"{label}: {value}" for label, value in self.facts]
        if self.link:
            lines.append(f"{self.link_label}: {self.link}")
        return "\n".join(lines)

    def payload(self) -> dict[str, Any]:
        """The JSON a webhook receiver gets: the event's data and the message."""
        return {
            "event": self.event,
            "severity": self.severity,
            "title": self.title,
            "text": self.text(),
            "summary": self.summary,
            "note": self.note,
            "workflow": {"id": self.workflow_id, "name": self.workflow_name},
            "execution": {"id": self.execution_id, "status": self.status, "url": self.link},
            "step": self.step,
            "error": self.error,
            "occurred_at": self.at,
            "delivery_id": self.delivery_id,
        }

    def template_context(self) -> dict[str, Any]:
        """What an alert's message template and an email subject template may use."""
        return {
            "event": self.event,
            "severity": self.severity,
            "title": self.title,
            "summary": self.summary,
            "workflow": self.workflow_name,
            "workflow_id": self.workflow_id,
            "execution_id": self.execution_id,
            "step": self.step or "",
            "error": self.error or "",
            "link": self.link or "",
        }


#: What "Send test" fills in where a test message has no workflow, so a template shows its shape.
EXAMPLE_VALUES = {"workflow": "Example workflow", "step": "example_step", "error": "example error"}


def with_template(
    message: AlertMessage, template: str | None, *, example: bool = False
) -> AlertMessage:
    """`message` with its main line written by the alert's own template (Jinja2 sandbox).

    Only the summary changes: the title, the facts and the link stay, so every channel still
    shows what happened and where. A template that fails at send time (a variable it needs
    is missing) leaves the default line, with the reason, rather than losing the alert.
    `example` fills the empty workflow, step and error with `EXAMPLE_VALUES` (a test message).
    """
    if not template:
        return message
    context = message.template_context()
    if example:
        context |= {key: value for key, value in EXAMPLE_VALUES.items() if not context[key]}
    try:
        text = str(render_value(template, context)).strip()
    except TemplateError as exc:
        return replace(message, note=_joined(message.note, f"(message template: {exc.message})"))
    return replace(message, summary=text[:MAX_TEMPLATE] or message.summary)


def _joined(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def duration_text(ms: float | None) -> str:
    """`350 ms`, `4.2 s`, `3 min 20 s`."""
    if ms is None:
        return ""
    if ms < 1000:
        return f"{ms:.0f} ms"
    seconds = ms / 1000
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def storm_note(suppressed: int) -> str | None:
    """The line that reports occurrences collapsed into the previous alert."""
    if suppressed <= 0:
        return None
    times = "time" if suppressed == 1 else "times"
    return f"(and {suppressed} more {times} in the minute after the previous alert)"


def execution_link(base_url: str, execution_id: int | None) -> str | None:
    """Where the execution is shown in the admin UI."""
    return f"{base_url.rstrip('/')}/admin/executions/{execution_id}" if execution_id else None


def _summary(event: AlertEvent, run: str, name: str, step: str) -> str:
    took = duration_text(event.duration_ms)
    after = f" after {took}" if took else ""
    if event.kind == "workflow_start":
        steps = f" ({event.steps_total} steps)" if event.steps_total is not None else ""
        return f"{run} of workflow “{name}” started{steps}."
    if event.kind == "workflow_complete":
        return f"{run} of workflow “{name}” finished successfully{after}."
    if event.kind == "step_fail":
        return f"Step “{step}” of {run.lower()} (workflow “{name}”) failed."
    if event.status == "interrupted":
        return f"{run} of workflow “{name}” was interrupted: Flowdeck stopped while it ran."
    where = f" at step “{step}”" if step else ""
    return f"{run} of workflow “{name}” failed{where}{after}."


def build_message(
    event: AlertEvent, *, base_url: str, suppressed: int = 0, label: str | None = None
) -> AlertMessage:
    """The message for `event`; `suppressed` occurrences of the previous window are mentioned.

    `label` is the alert's severity, what the message shows (colour, emoji, subject prefix);
    without one, the event's own severity."""
    severity = label or event.severity.value
    name = event.workflow_name or f"#{event.workflow_id}"
    step = event.step_name or event.step or ""
    if event.step and event.step_name and event.step_name != event.step:
        step = f"{event.step_name} ({event.step})"
    run = f"Execution #{event.execution_id}" if event.execution_id else "An execution"
    title = _TITLES[event.kind]
    if event.kind == "workflow_fail" and event.status == "interrupted":
        title = "Workflow interrupted"
    title = f"{title}: {step} in {name}" if event.kind == "step_fail" else f"{title}: {name}"
    error = event.error[:MAX_ERROR] if event.error else None
    facts = [("Severity", severity), ("Workflow", f"{name} (#{event.workflow_id})")]
    if event.execution_id:
        facts.append(("Execution", f"#{event.execution_id}"))
    if step and event.kind in ("workflow_fail", "step_fail"):
        facts.append(("Step", step))
    if error:
        facts.append(("Error", error))
    if event.duration_ms is not None:
        facts.append(("Duration", duration_text(event.duration_ms)))
    return AlertMessage(
        event=event.kind,
        severity=severity,
        title=title,
        summary=_summary(event, run, name, step),
        facts=tuple(facts),
        link=execution_link(base_url, event.execution_id),
        note=storm_note(suppressed),
        workflow_id=event.workflow_id,
        workflow_name=event.workflow_name,
        execution_id=event.execution_id,
        step=event.step,
        error=error,
        status=event.status,
        at=event.at.isoformat(),
    )


def probe_message(*, alert_name: str, severity: str, base_url: str, at: str) -> AlertMessage:
    """What "Send test" sends: says it is a test and links to the alerts page."""
    return AlertMessage(
        event="test",
        severity=severity,
        title=f"Test message for alert “{alert_name}”",
        summary="If you can read this, Flowdeck can reach this channel.",
        facts=(("Severity", severity),),
        link=f"{base_url.rstrip('/')}/admin/alerts",
        link_label="Alerts",
        at=at,
    )
