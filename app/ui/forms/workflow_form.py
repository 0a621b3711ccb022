"""The workflow form's flat fields ⇄ a workflow definition, without any UI code.

A form holds strings and booleans only (what inputs bind to); this module turns them into
the definition the service validates, and a stored definition back into form fields. Bad
JSON in a field is reported next to that field, with the same path the service would use.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

from app.core.articles import status_name
from app.core.errors import Problem
from app.core.webhook_examples import needs_secret
from app.ui.forms.retention_fields import retention_to_definition, retention_to_form
from app.ui.forms.step_kinds import (
    ACTION_TYPES,
    DEFAULT_RULE,
    FLOW_FIELDS,
    FLOW_KEYS,
    flow_config,
    flow_defaults,
    flow_form,
    graph_form,
    graph_spec,
)
from app.ui.forms.trigger_kinds import (
    TRIGGER_FIELDS,
    TRIGGER_KEYS,
    TRIGGER_TYPES,
    trigger_config,
    trigger_field_defaults,
    trigger_form,
)

__all__ = [
    "ACTION_TYPES",
    "TRIGGER_TYPES",
    "ActionForm",
    "TriggerForm",
    "definition_to_form",
    "form_to_definition",
]
CRON_PRESETS: list[tuple[str, str]] = [
    ("Every minute", "* * * * *"),
    ("Every 5 minutes", "*/5 * * * *"),
    ("Hourly", "0 * * * *"),
    ("Daily at 09:00", "0 9 * * *"),
    ("Weekdays at 09:00", "0 9 * * 1-5"),
    ("Mondays at 09:00", "0 9 * * 1"),
    ("First of the month", "0 0 1 * *"),
]


#: One step's fields in the form: the common ones, every flow type's fields (named once, in
#: `step_kinds.FLOW_FIELDS`), and the graph fields.
ActionForm = TypedDict(  # the call form: the flow keys come from FLOW_FIELDS
    "ActionForm",
    {
        "id": str,
        "name": str,
        "type": str,
        "seconds": str,
        "values_json": str,
        "method": str,
        "url": str,
        "headers_json": str,
        "body_json": str,
        "expected_status": str,
        "timeout_call": str,
        "extra_json": str,
        "article": str,
        "connection": str,
        "message": str,
        "list_text": str,
        "platforms": str,
        "metrics": str,  # monitor: comma-separated (ranking, traffic, engagement)
        "window_days": str,
        "paths_json": str,
        "thresholds_json": str,
        "severity": str,
        "flag": bool,
        "alert": str,
        "condition": str,
        "retry_strategy": str,
        "retry_max": str,
        "retry_delay": str,
        "timeout_s": str,
        "continue_on_error": bool,
        **{key: str for key in FLOW_KEYS},
        "depends_on": list[str],
        "at_start": bool,
        "trigger_rule": str,
        "ui": dict[str, float],  # the canvas position, kept as it was (see app.core.canvas)
    },
)


#: The trigger's fields: those of the first five types, and every other type's (named once, in
#: `trigger_kinds.TRIGGER_FIELDS`).
TriggerForm = TypedDict(  # the call form: the other types' keys come from TRIGGER_FIELDS
    "TriggerForm",
    {
        "type": str,
        "schedule_kind": str,  # "cron" or "interval"
        "cron": str,
        "timezone": str,
        "misfire": str,
        "interval_seconds": str,
        "signature": str,
        "secret": str,
        "event": str,
        "filter": str,
        "article_status": str,
        **{key: str for key in TRIGGER_KEYS},
    },
)


def blank_action(index: int, action_type: str = "transform") -> ActionForm:
    return ActionForm(
        id=f"step{index + 1}",
        name="",
        type=action_type,
        seconds="1",
        values_json='{\n  "message": "Hello {{ trigger.name | default(\'world\') }}"\n}',
        method="GET",
        url="",
        headers_json="",
        body_json="",
        expected_status="",
        timeout_call="30",
        extra_json="{}",
        article="",
        connection="",
        message="" if action_type == "share" else "New article: {{ trigger.title }}",
        list_text="",
        platforms="",
        metrics="",
        window_days="7",
        paths_json="",
        thresholds_json="",
        severity="info",
        flag=False,
        alert="",
        condition="",
        retry_strategy="none",
        retry_max="3",
        retry_delay="1",
        timeout_s="",
        continue_on_error=False,
        depends_on=[],
        at_start=False,
        trigger_rule=DEFAULT_RULE,
        ui={},
        **flow_defaults(),  # type: ignore[typeddict-item]
    )


def blank_trigger() -> TriggerForm:
    return TriggerForm(
        type="manual",
        schedule_kind="cron",
        cron="0 9 * * 1",
        timezone="UTC",
        misfire="skip",
        interval_seconds="60",
        signature="none",
        secret="",
        event="article.status_changed",
        filter="",
        article_status="ready",
        **trigger_field_defaults(),  # type: ignore[typeddict-item]
    )


def _json(text: str, path: str, problems: list[Problem], default: Any = None) -> Any:
    if not text.strip():
        return default
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem(path, f"not valid JSON: {exc.msg} (line {exc.lineno})"))
        return default


def _number(text: str, path: str, problems: list[Problem], kind: type = float) -> Any:
    if not str(text).strip():
        return None
    try:
        return kind(text)
    except ValueError:
        word = "a whole number" if kind is int else "a number"
        problems.append(Problem(path, f"must be {word}"))
        return None


def _action_config(form: ActionForm, prefix: str, problems: list[Problem]) -> dict[str, Any]:
    kind = form["type"]
    if kind == "delay":
        return {"seconds": _number(form["seconds"], f"{prefix}.config.seconds", problems)}
    if kind == "transform":
        return {"values": _json(form["values_json"], f"{prefix}.config.values", problems, {})}
    if kind == "api_call":
        config: dict[str, Any] = {"method": form["method"] or "GET", "url": form["url"].strip()}
        if (connection := _ref(form["connection"])) is not None:  # a path is called on its URL
            config["connection"] = connection
        headers = _json(form["headers_json"], f"{prefix}.config.headers", problems)
        if headers:
            config["headers"] = headers
        body = _json(form["body_json"], f"{prefix}.config.json", problems)
        if body is not None:
            config["json"] = body
        codes = [c.strip() for c in form["expected_status"].split(",") if c.strip()]
        if codes:
            parsed = [_number(c, f"{prefix}.config.expected_status", problems, int) for c in codes]
            config["expected_status"] = [c for c in parsed if c is not None]
        timeout = _number(form["timeout_call"], f"{prefix}.config.timeout_s", problems)
        if timeout is not None:
            config["timeout_s"] = timeout
        config.update(flow_config(form, prefix, problems))  # query params, raw body
        return config
    if kind in _DOMAIN:
        return _domain_config(form, prefix, problems)
    if kind in FLOW_FIELDS:
        return flow_config(form, prefix, problems)
    return _json(form["extra_json"], f"{prefix}.config", problems, {}) or {}


_DOMAIN = ("publish", "share", "monitor", "optimize", "notify", "git_commit")


def _ref(text: str) -> int | str | None:
    """A connection or article reference: an id, a name or a template; empty means none."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


def _items(text: str, sep: str = ",") -> list[str]:
    return [item.strip() for item in text.replace("\n", sep).split(sep) if item.strip()]


def _domain_config(form: ActionForm, prefix: str, problems: list[Problem]) -> dict[str, Any]:
    """The content actions' configs from the shared form fields (empty fields left out)."""
    kind = form["type"]
    config: dict[str, Any] = {}
    if kind in ("publish", "optimize", "git_commit", "share", "monitor"):
        config["article"] = _ref(form["article"])
    if kind in ("publish", "notify", "git_commit"):
        config["connection"] = _ref(form["connection"])
    if kind in ("share", "notify", "git_commit"):
        config["message"] = form["message"].strip() or None
    if kind == "share":
        config["connections"] = [_ref(c) for c in _items(form["list_text"])]
        config["platforms"] = _items(form.get("platforms", "")) or None
        config["fail_on_any"] = bool(form["flag"])
    elif kind == "monitor":
        config["metrics"] = _items(form.get("metrics", "")) or None
        config["sources"] = [_ref(c) for c in _items(form["connection"])] or None
        if config["metrics"] and form.get("window_days", "7").strip() not in ("", "7"):
            config["window_days"] = _number(
                form["window_days"], f"{prefix}.config.window_days", problems, int
            )
        config["urls"] = _items(form["list_text"], "\n")
        config["json_paths"] = _json(
            form["paths_json"], f"{prefix}.config.json_paths", problems, {}
        )
        config["thresholds"] = _json(
            form["thresholds_json"], f"{prefix}.config.thresholds", problems, {}
        )
    elif kind == "optimize":
        config["keywords"] = _items(form["list_text"])
        config["apply"] = bool(form["flag"])
    elif kind == "notify":
        config["alert"] = _ref(form["alert"])
        config["severity"] = form["severity"] or "info"
    return {k: v for k, v in config.items() if v is not None}


def action_to_spec(form: ActionForm, index: int, problems: list[Problem]) -> dict[str, Any]:
    prefix = f"actions[{index}]"
    spec: dict[str, Any] = {
        "id": form["id"].strip(),
        "name": form["name"].strip(),
        "type": form["type"],
        "config": _action_config(form, prefix, problems),
        "continue_on_error": bool(form["continue_on_error"]),
    }
    if form["condition"].strip():
        spec["condition"] = form["condition"].strip()
    if form["retry_strategy"] and form["retry_strategy"] != "none":
        spec["retry"] = {
            "strategy": form["retry_strategy"],
            "max_attempts": _number(
                form["retry_max"], f"{prefix}.retry.max_attempts", problems, int
            )
            or 3,
            "delay_s": _number(form["retry_delay"], f"{prefix}.retry.delay_s", problems) or 0,
        }
    timeout = _number(form["timeout_s"], f"{prefix}.timeout_s", problems)
    if timeout is not None:
        spec["timeout_s"] = timeout
    spec.update(graph_spec(form))
    if form.get("ui"):
        spec["ui"] = dict(form["ui"])
    return spec


def trigger_to_spec(form: TriggerForm, problems: list[Problem] | None = None) -> dict[str, Any]:
    kind = form["type"]
    config: dict[str, Any] = {}
    if kind in TRIGGER_FIELDS:
        config = trigger_config(form, [] if problems is None else problems)
    elif kind == "schedule":
        config["misfire"] = form["misfire"] or "skip"
        if form["schedule_kind"] == "interval":
            config["interval_seconds"] = form["interval_seconds"].strip() or None
        else:
            config["cron"] = form["cron"].strip()
            config["timezone"] = form["timezone"].strip() or "UTC"
    elif kind == "webhook":
        config["signature"] = form["signature"] or "none"
        if needs_secret(config["signature"]) and form["secret"].strip():  # unsigned: no secret
            config["secret"] = form["secret"].strip()
    elif kind == "event":
        config["event"] = form["event"].strip()
        if form["filter"].strip():
            config["filter"] = form["filter"].strip()
    elif kind == "publish":
        config["article_status"] = form["article_status"].strip() or "ready"
    return {"type": kind, "config": config}


def _max_parallel(fields: dict[str, str], problems: list[Problem]) -> int:
    """The typed number (the service checks 1-64); empty means the default, 8."""
    number = _number(fields.get("max_parallel", ""), "max_parallel", problems, int)
    return 8 if number is None else number


def form_to_definition(
    fields: dict[str, str], trigger: TriggerForm, actions: list[ActionForm]
) -> tuple[dict[str, Any], list[Problem]]:
    """The definition to save, and the problems found before the service sees it."""
    problems: list[Problem] = []
    definition = {
        "name": fields.get("name", ""),
        "description": fields.get("description", ""),
        "workflow_type": fields.get("workflow_type") or "custom",
        "priority": fields.get("priority") or "normal",
        "concurrency_limit": _number(
            fields.get("concurrency_limit", "1"), "concurrency_limit", problems, int
        )
        or 1,
        "max_parallel": _max_parallel(fields, problems),
        "is_active": fields.get("is_active", "true") != "false",
        "on_interrupted": fields.get("on_interrupted") or "leave",
        "on_failure_workflow_id": _number(
            fields.get("on_failure_workflow_id", ""), "on_failure_workflow_id", problems, int
        ),
        "trigger": trigger_to_spec(trigger, problems),
        "actions": [action_to_spec(a, i, problems) for i, a in enumerate(actions)],
        **retention_to_definition(fields),
    }
    return definition, problems


def _text(value: Any) -> str:
    return "" if value is None else json.dumps(value, indent=2)


def definition_to_form(
    definition: dict[str, Any],
) -> tuple[dict[str, str], TriggerForm, list[ActionForm]]:
    fields = {
        "name": definition.get("name", ""),
        "description": definition.get("description", ""),
        "workflow_type": definition.get("workflow_type", "custom"),
        "priority": definition.get("priority", "normal"),
        "concurrency_limit": str(definition.get("concurrency_limit", 1)),
        "max_parallel": str(definition.get("max_parallel", 8)),
        "is_active": "true" if definition.get("is_active", True) else "false",
        "on_interrupted": definition.get("on_interrupted") or "leave",
        "on_failure_workflow_id": str(definition.get("on_failure_workflow_id") or ""),
        **retention_to_form(definition),
    }
    trigger = blank_trigger()
    spec = definition.get("trigger") or {}
    config = spec.get("config") or {}
    trigger["type"] = spec.get("type", "manual")
    if config.get("interval_seconds"):
        trigger["schedule_kind"] = "interval"
        trigger["interval_seconds"] = str(config["interval_seconds"])
    for key in ("cron", "timezone", "misfire", "signature", "event", "filter", "article_status"):
        if config.get(key):
            trigger[key] = str(config[key])  # type: ignore[literal-required]
    trigger.update(trigger_form(trigger["type"], config))  # type: ignore[typeddict-item]
    if found := status_name(trigger.get("article_status", "").strip()):
        trigger["article_status"] = found.value  # READY_TO_PUBLISH (stored before 0006) → ready
    actions = []
    for index, action in enumerate(definition.get("actions") or []):
        form = blank_action(index, action.get("type", "transform"))
        cfg = action.get("config") or {}
        retry = action.get("retry") or {}
        form.update(
            id=action.get("id", ""),
            name=action.get("name", ""),
            condition=action.get("condition") or "",
            continue_on_error=bool(action.get("continue_on_error")),
            timeout_s="" if action.get("timeout_s") is None else str(action["timeout_s"]),
            retry_strategy=retry.get("strategy", "none"),
            retry_max=str(retry.get("max_attempts", 3)),
            retry_delay=str(retry.get("delay_s", 1)),
            extra_json=json.dumps(cfg, indent=2),
            ui=dict(action["ui"]) if isinstance(action.get("ui"), dict) else {},
            **graph_form(action),
        )
        form.update(flow_form(form["type"], cfg))  # type: ignore[typeddict-item]
        if form["type"] == "delay":
            form["seconds"] = str(cfg.get("seconds", 1))
        elif form["type"] == "transform":
            form["values_json"] = json.dumps(cfg.get("values", {}), indent=2)
        elif form["type"] in _DOMAIN:
            refs = cfg.get("connections") or cfg.get("urls") or cfg.get("keywords") or []
            form.update(
                article=str(cfg.get("article") or ""),
                connection=str(cfg.get("connection") or ""),
                message=cfg.get("message") or "",
                alert=str(cfg.get("alert") or ""),
                severity=cfg.get("severity") or "info",
                flag=bool(cfg.get("apply") or cfg.get("fail_on_any")),
                list_text=("\n" if form["type"] == "monitor" else ", ").join(str(r) for r in refs),
                platforms=", ".join(str(p) for p in cfg.get("platforms") or []),
                paths_json=_text(cfg.get("json_paths") or None),
                thresholds_json=_text(cfg.get("thresholds") or None),
                metrics=", ".join(str(m) for m in cfg.get("metrics") or []),
                window_days=str(cfg.get("window_days", cfg.get("windowDays", 7))),
            )
            if form["type"] == "monitor":
                form["connection"] = ", ".join(str(c) for c in cfg.get("sources") or [])
        elif form["type"] == "api_call":
            form.update(
                method=cfg.get("method", "GET"),
                url=cfg.get("url", ""),
                connection=str(cfg.get("connection") or ""),
                headers_json=_text(cfg.get("headers") or None),
                body_json=_text(cfg.get("json")),
                expected_status=", ".join(str(c) for c in cfg.get("expected_status", [])),
                timeout_call=str(cfg.get("timeout_s", 30)),
            )
        actions.append(form)
    return fields, trigger, actions


#: Where a step's problem shows: the path after `actions[i].` → the form field it belongs under.
_COMMON_FIELDS: dict[str, str] = {
    "id": "id",
    "name": "name",
    "condition": "condition",
    "timeout_s": "timeout_s",
    "retry.max_attempts": "retry_max",
    "retry.delay_s": "retry_delay",
}
_CONFIG_FIELDS: dict[str, dict[str, str]] = {
    "delay": {"seconds": "seconds"},
    "transform": {"values": "values_json"},
    "api_call": {"url": "url", "connection": "connection", "headers": "headers_json",
                 "json": "body_json", "expected_status": "expected_status",
                 "timeout_s": "timeout_call"},
    "publish": {"article": "article", "connection": "connection"},
    "share": {"article": "article", "message": "message", "connections": "list_text",
              "platforms": "platforms"},
    "monitor": {"article": "article", "metrics": "metrics", "sources": "connection",
                "window_days": "window_days", "urls": "list_text", "json_paths": "paths_json",
                "thresholds": "thresholds_json"},
    "optimize": {"article": "article", "keywords": "list_text"},
    "notify": {"alert": "alert", "connection": "connection", "message": "message"},
    "git_commit": {"article": "article", "connection": "connection", "message": "message"},
}  # fmt: skip


def _under(rest: str, key: str) -> bool:
    return rest == key or rest.startswith((f"{key}[", f"{key}."))


def input_of(action_type: str, rest: str) -> str:
    """The form input a step's problem belongs under (`config.url` → `url`), or "" when no
    input of the card holds it. Types the form edits as raw JSON show config problems under
    that JSON (`extra_json`)."""
    for path, key in _COMMON_FIELDS.items():
        if _under(rest, path):
            return key
    if not _under(rest, "config"):
        return ""
    inner = rest.removeprefix("config").lstrip(".")
    fields = _CONFIG_FIELDS.get(action_type)
    if fields is None:
        return "" if action_type in FLOW_FIELDS else "extra_json"
    return next((key for path, key in fields.items() if _under(inner, path)), "")
