"""n8n trigger nodes as Flowdeck triggers: manual, webhook, schedule (cron or interval), the
Error Trigger (an `alert` trigger), the Local File Trigger (`file_watch`) and the Email Trigger
(IMAP) (`email`). Pure.

The Schedule Trigger's rule is a list of intervals (`{field: "cronExpression", expression}`,
`{field: "minutes", minutesInterval}`, `{field: "days", triggerAtHour, …}`…); Flowdeck keeps
one schedule, so the first interval is used and the others are reported. n8n fills unset hours
and minutes with a stable random value; the import says midnight / minute 0 instead, in words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from app.core.cron import validate_cron
from app.core.email_trigger import MAILBOX_PATTERN
from app.core.n8n_model import Context, N8nNode, TriggerMapped, Unmapped

_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600}
MAX_INTERVAL_S = 366 * 86_400


def _every(seconds: int) -> TriggerMapped | Unmapped:
    if seconds > MAX_INTERVAL_S:
        return Unmapped("its interval is longer than a year")
    return TriggerMapped("schedule", {"interval_seconds": seconds})


def _manual(node: N8nNode, context: Context) -> TriggerMapped | Unmapped:
    return TriggerMapped("manual", {})


def _sub_workflow_start(node: N8nNode, context: Context) -> TriggerMapped | Unmapped:
    note = "started by other workflows in n8n: a Flowdeck sub_workflow step can run it"
    return TriggerMapped("manual", {}, notes=[note])


def _webhook(node: N8nNode, context: Context) -> TriggerMapped | Unmapped:
    params = node.parameters
    mapped = TriggerMapped("webhook", {"signature": "none"})
    method, path = params.get("httpMethod", "GET"), params.get("path", "")
    mapped.notes.append(
        f"n8n listened for {method} /{path}; Flowdeck's hook is POST /api/hooks/<id> (shown on "
        "the workflow), with the request as trigger.body and trigger.headers"
    )
    if params.get("authentication") not in (None, "none"):
        mapped.attention.append(
            "n8n checked the caller's credentials: choose a signature (github or flowdeck)"
        )
    return mapped


def _number(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _cron(expression: Any) -> tuple[str | None, str | None]:
    """A 5-field cron from n8n's (5 or 6 fields, seconds first); (cron, problem)."""
    if not isinstance(expression, str) or not expression.strip():
        return None, "the cron expression is empty"
    fields = expression.split()
    if len(fields) == 6:
        if not fields[0].isdigit():
            return None, f"{expression!r} fires more than once a minute"
        fields = fields[1:]
    cron = " ".join(fields)
    problem = validate_cron(cron)
    return (None, f"{expression!r}: {problem}") if problem else (cron, None)


def _interval_cron(rule: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """One Schedule Trigger interval as a Flowdeck schedule config; (config, problem)."""
    kind = rule.get("field", "days")
    minute, hour = _number(rule.get("triggerAtMinute"), 0), _number(rule.get("triggerAtHour"), 0)
    if kind == "cronExpression":
        cron, problem = _cron(rule.get("expression"))
        return ({"cron": cron} if cron else None), problem
    if kind in ("seconds", "minutes"):
        every = _number(rule.get(f"{kind}Interval"), 1 if kind == "minutes" else 30)
        seconds = max(1, every) * _UNIT_SECONDS[kind]
        if seconds > MAX_INTERVAL_S:
            return None, f"every {every} {kind} is longer than a year"
        return {"interval_seconds": seconds}, None
    if kind == "hours":
        every = max(1, _number(rule.get("hoursInterval"), 1))
        return {"cron": f"{minute} */{every} * * *" if every > 1 else f"{minute} * * * *"}, None
    if kind == "days":
        every = max(1, _number(rule.get("daysInterval"), 1))
        day = f"*/{every}" if every > 1 else "*"
        return {"cron": f"{minute} {hour} {day} * *"}, None
    if kind == "weeks":
        days = rule.get("triggerAtDay")
        valid = (
            [str(d) for d in days if isinstance(d, int) and 0 <= d <= 6]
            if isinstance(days, list)
            else []
        )
        return {"cron": f"{minute} {hour} * * {','.join(valid) or '*'}"}, None
    if kind == "months":
        every = max(1, _number(rule.get("monthsInterval"), 1))
        day = _number(rule.get("triggerAtDayOfMonth"), 1)
        month = f"*/{every}" if every > 1 else "*"
        return {"cron": f"{minute} {hour} {day} {month} *"}, None
    return None, f"an interval of {kind!r} is not known"


def _schedule(node: N8nNode, context: Context) -> TriggerMapped | Unmapped:
    rule = node.parameters.get("rule")
    intervals = rule.get("interval") if isinstance(rule, Mapping) else None
    intervals = (
        [i for i in intervals if isinstance(i, Mapping)] if isinstance(intervals, list) else []
    )
    config, problem = _interval_cron(intervals[0] if intervals else {})
    if config is None:
        return Unmapped(f"its schedule cannot be kept: {problem}")
    mapped = TriggerMapped("schedule", {**config, "timezone": context.timezone})
    if len(intervals) > 1:
        mapped.attention.append(
            f"n8n fired on {len(intervals)} rules; Flowdeck keeps one schedule (the first)"
        )
    first = intervals[0] if intervals else {}
    if first.get("field", "days") in ("weeks", "days") and (
        _number(first.get("weeksInterval"), 1) > 1
    ):
        mapped.attention.append("every few weeks is not a cron: it now fires every week")
    return mapped


def _old_interval(node: N8nNode, context: Context) -> TriggerMapped | Unmapped:
    unit = node.parameters.get("unit", "seconds")
    every = node.parameters.get("interval", 1)
    finite = isinstance(every, int | float) and not isinstance(every, bool) and 0 < every < 1e9
    if str(unit) not in _UNIT_SECONDS or not finite:
        return Unmapped(f"an interval of {every!r} {unit!r} is not a time")
    return _every(max(1, int(every * _UNIT_SECONDS[str(unit)])))


def _old_cron(node: N8nNode, context: Context) -> TriggerMapped | Unmapped:
    times = node.parameters.get("triggerTimes")
    items = times.get("item") if isinstance(times, Mapping) else None
    item = items[0] if isinstance(items, list) and items and isinstance(items[0], Mapping) else {}
    mode, hour, minute = item.get("mode", "everyDay"), item.get("hour", 14), item.get("minute", 0)
    crons = {
        "everyMinute": "* * * * *",
        "everyHour": f"{minute} * * * *",
        "everyDay": f"{minute} {hour} * * *",
        "everyWeek": f"{minute} {hour} * * {item.get('weekday', 1)}",
        "everyMonth": f"{minute} {hour} {item.get('dayOfMonth', 1)} * *",
    }
    if mode == "custom":
        cron, problem = _cron(item.get("cronExpression"))
    elif isinstance(mode, str) and mode in crons:
        cron, problem = _cron(crons[mode])
    else:
        cron, problem = None, f"the mode {mode!r} is not kept"
    if cron is None:
        return Unmapped(f"its schedule cannot be kept: {problem}")
    return TriggerMapped("schedule", {"cron": cron, "timezone": context.timezone})


def _error_trigger(node: N8nNode, context: Context) -> TriggerMapped | Unmapped:
    mapped = TriggerMapped("alert", {})
    mapped.notes.append(
        "n8n ran this for the workflows naming it as their error workflow: it now runs when any "
        "Flowdeck alert fires (choose one in the trigger), or name it in those workflows' "
        "'If a run fails, run workflow'"
    )
    return mapped


_FILE_EVENTS = {"add": "created", "change": "modified", "unlink": "deleted"}


def _local_file(node: N8nNode, context: Context) -> TriggerMapped | Unmapped:
    params = node.parameters
    path = params.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        return Unmapped("its path is not an absolute folder")
    if params.get("triggerOn") == "file":
        return Unmapped("it watches one file; Flowdeck watches folders (watch its folder)")
    given = params.get("events") if isinstance(params.get("events"), list) else []
    events = [_FILE_EVENTS[e] for e in given if e in _FILE_EVENTS] or list(_FILE_EVENTS.values())
    mapped = TriggerMapped("file_watch", {"path": path, "events": events})
    mapped.attention.append("the folder must lie under FLOWDECK_WATCH_ROOTS on this host")
    return mapped


def _imap_email(node: N8nNode, context: Context) -> TriggerMapped | Unmapped:
    params = node.parameters
    mailbox = params.get("mailbox")
    if not isinstance(mailbox, str) or not re.match(MAILBOX_PATTERN, mailbox):
        mailbox = "INBOX"
    known = list(context.connections.get("imap", ()))
    connection = known[0] if len(known) == 1 else "imap"
    mapped = TriggerMapped("email", {"connection": connection, "mailbox": mailbox})
    if len(known) != 1:
        mapped.attention.append(
            "choose the imap connection to watch (placeholder name 'imap'; n8n credentials are "
            "not imported)"
        )
    options = params.get("options") if isinstance(params.get("options"), Mapping) else {}
    criteria = str(options.get("customEmailConfig") or '["UNSEEN"]').replace(" ", "")
    if criteria != '["UNSEEN"]':
        mapped.attention.append(
            f"n8n searched with {criteria[:200]}: Flowdeck looks at unseen mail and filters with "
            "from_contains, subject_contains and has_attachment"
        )
    mapped.notes.append(
        "each message is then flagged (seen and flagged) or moved; attachments are listed by "
        "name and size in trigger.attachments, not downloaded"
    )
    return mapped


TRIGGER_MAPPERS: dict[str, Callable[[N8nNode, Context], TriggerMapped | Unmapped]] = {
    "errorTrigger": _error_trigger,
    "localFileTrigger": _local_file,
    "emailReadImap": _imap_email,
    "manualTrigger": _manual,
    "start": _manual,
    "executeWorkflowTrigger": _sub_workflow_start,
    "webhook": _webhook,
    "scheduleTrigger": _schedule,
    "interval": _old_interval,
    "cron": _old_cron,
}
