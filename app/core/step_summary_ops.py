"""Summary lines of the operations step types: SMS, tickets, deploys, CI, backups, incidents,
SSH commands and service restarts.

Registered with the others in `step_summary.DESCRIBERS`. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.step_wording import Describer, name_list, ref_text, value_text


def _sms_send(c: Mapping[str, Any]) -> str:
    via = ref_text(c.get("connection"), "connection")
    return f"Texts {value_text(c.get('to'), 40)} via {via}: “{value_text(c.get('body'))}”"


def _ticket_create(c: Mapping[str, Any]) -> str:
    where = f" in {value_text(c['project'], 40)}" if c.get("project") else ""
    on = ref_text(c.get("connection"), "connection")
    line = f"Opens a ticket{where} on {on}: “{value_text(c.get('title'))}”"
    labels = c.get("labels")
    return line + (f" · labels {name_list(labels)}" if isinstance(labels, list) and labels else "")


def _dispatch(verb: str, ref_key: str) -> Describer:
    def describe(c: Mapping[str, Any]) -> str:
        via = ref_text(c.get("connection"), "connection")
        line = f"{verb} {value_text(c.get(ref_key), 40)} via {via}"
        if c.get("workflow"):
            line += f" (workflow {value_text(c['workflow'], 40)})"
        if c.get("environment"):
            line += f" to {value_text(c['environment'], 40)}"
        inputs = c.get("inputs")
        return line + (
            f" · inputs {name_list(list(inputs))}" if isinstance(inputs, dict) and inputs else ""
        )

    return describe


def _db_backup(c: Mapping[str, Any]) -> str:
    return (
        f"Backs up {ref_text(c.get('connection'), 'database')}, keeps the last {c.get('keep') or 7}"
    )


def _incident_create(c: Mapping[str, Any]) -> str:
    severity = value_text(c.get("severity") or "high", 20)
    line = f"Opens a {severity} incident “{value_text(c.get('title'))}”"
    if c.get("assignee"):
        line += f" for {value_text(c['assignee'], 40)}"
    mirror = c.get("mirror")
    return line + (
        f" · mirrored to {name_list(mirror)}" if isinstance(mirror, list) and mirror else ""
    )


def _incident(c: Mapping[str, Any]) -> str:
    ref = c.get("incident")
    return "the trigger's incident" if ref in (None, "") else f"incident {value_text(ref, 40)}"


def _incident_update(c: Mapping[str, Any]) -> str:
    fields = [
        k
        for k in ("title", "description", "severity", "status", "assignee")
        if c.get(k) not in (None, "")
    ]
    if not fields:
        return f"Adds a note to {_incident(c)}"
    return f"Updates {_incident(c)}: {', '.join(fields)}"


def _incident_assign(c: Mapping[str, Any]) -> str:
    who = c.get("assignee")
    return (
        f"Assigns {_incident(c)} to {value_text(who, 40)}" if who else f"Unassigns {_incident(c)}"
    )


def _incident_escalate(c: Mapping[str, Any]) -> str:
    to = f"to {value_text(c['severity'], 20)}" if c.get("severity") else "one level"
    return f"Escalates {_incident(c)} {to}"


def _incident_resolve(c: Mapping[str, Any]) -> str:
    return f"Resolves {_incident(c)}" + (f": “{value_text(c['note'])}”" if c.get("note") else "")


def _ssh_command(c: Mapping[str, Any]) -> str:
    on = ref_text(c.get("connection"), "connection")
    line = f"Runs “{value_text(c.get('command'))}” over SSH on {on}"
    return line + (" · a non-zero exit does not fail it" if c.get("check") is False else "")


def _service_restart(c: Mapping[str, Any]) -> str:
    on = ref_text(c.get("connection"), "connection")
    line = f"Restarts service {value_text(c.get('service'), 60)} on {on}"
    if c.get("path"):
        return line + f" (HTTP {value_text(c['path'])})"
    manager = value_text(c.get("manager") or "systemctl", 20)
    return line + f" ({'sudo ' if c.get('sudo') is True else ''}{manager})"


OPS_DESCRIBERS: dict[str, Describer] = {
    "sms_send": _sms_send,
    "ticket_create": _ticket_create,
    "deploy": _dispatch("Deploys", "ref"),
    "rollback": _dispatch("Rolls back to", "previous_ref"),
    "ci_run": _dispatch("Runs CI on", "ref"),
    "db_backup": _db_backup,
    "incident_create": _incident_create,
    "incident_update": _incident_update,
    "incident_assign": _incident_assign,
    "incident_escalate": _incident_escalate,
    "incident_resolve": _incident_resolve,
    "ssh_command": _ssh_command,
    "service_restart": _service_restart,
}
