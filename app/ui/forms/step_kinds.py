"""Which step types the form offers, the fields of the flow steps, and a step's place in the graph.

The type list comes from the engine's registry (`action_types()`), so a registered type shows
up in the form by itself; `GROUPS` only says where its "add" button goes. The flow steps
(`if`, `switch`, `merge`, …) and `orchestration` are described once, as `FlowField`s: the same
list builds their inputs, their config and the form fields read back from a stored config.

"Runs after" holds the chosen dependencies (`"fetch"`, `"check:true"`); nothing chosen means
the previous step (`depends_on` left out), and `at_start` means `depends_on: []`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypedDict

from app.core.errors import Problem
from app.core.graph import FAILED_OUTPUT, TriggerRule, branch_outputs
from app.engine.actions import action_types
from app.ui.forms.flow_field import FlowField
from app.ui.forms.ops_fields import OPS_COLUMNS, OPS_FIELDS

#: Where each type's "add" button goes; a registered type not named here is a content step.
GROUPS: dict[str, str] = {
    "transform": "basic",
    "api_call": "basic",
    "orchestration": "basic",
    "delay": "basic",
    "script": "basic",
    "database": "basic",
    "if": "flow",
    "switch": "flow",
    "merge": "flow",
    "wait": "flow",
    "sub_workflow": "flow",
    "for_each": "flow",
    "approval": "flow",
    **{kind: "ops" for kind in OPS_FIELDS},
}
_GROUP_ORDER = ("basic", "flow", "ops", "content")


def _group(kind: str) -> str:
    return GROUPS.get(kind, "content")


def _order(kind: str) -> tuple[int, int, str]:
    named = list(GROUPS)
    return (_GROUP_ORDER.index(_group(kind)), named.index(kind) if kind in named else 0, kind)


ACTION_TYPES: list[str] = sorted(action_types(), key=_order)
BASIC_TYPES = [k for k in ACTION_TYPES if _group(k) == "basic"]
FLOW_TYPES = [k for k in ACTION_TYPES if _group(k) == "flow"]
OPS_TYPES = [k for k in ACTION_TYPES if _group(k) == "ops"]
CONTENT_TYPES = [k for k in ACTION_TYPES if _group(k) == "content"]

TRIGGER_RULES: list[str] = [rule.value for rule in TriggerRule]
TRIGGER_RULE_HINTS: dict[str, str] = {
    "all_succeeded": "Every dependency succeeded",
    "none_failed": "None failed: the join after a branch",
    "all_done": "Always, once all ended (e.g. clean-up)",
    "any_succeeded": "As soon as one succeeded",
}
DEFAULT_RULE = TriggerRule.ALL_SUCCEEDED.value


FLOW_FIELDS: dict[str, tuple[FlowField, ...]] = {
    "if": (
        FlowField(
            "branch_condition",
            "condition",
            "Condition (true → true, else false)",
            placeholder="trigger.n > 1",
        ),
    ),
    "switch": (
        FlowField("switch_value", "value", "Value", placeholder="{{ trigger.kind }}"),
        FlowField(
            "cases_json",
            "cases",
            'Cases (JSON: {"case name": match})',
            "json",
            default='{\n  "small": 1,\n  "large": 2\n}',
        ),
    ),
    "merge": (
        FlowField(
            "merge_mode", "mode", "Mode", "select", options=("object", "append"), default="object"
        ),
    ),
    "wait": (
        FlowField(
            "wait_seconds",
            "seconds",
            "Seconds (≤ 30 days)",
            placeholder="60",
            default="60",
            omit="",
            literal=True,
        ),
        FlowField(
            "wait_until",
            "until",
            "Or until (ISO time with zone)",
            placeholder="{{ trigger.remind_at }}",
            omit="",
        ),
        FlowField(
            "wait_webhook",
            "webhook",
            "Or until its resume URL is called",
            "select",
            options=("false", "true"),
            default="false",
            omit="false",
            literal=True,
        ),
        FlowField(
            "wait_timeout",
            "timeout_s",
            "Webhook timeout (s)",
            placeholder="86400",
            omit="",
            literal=True,
        ),
    ),
    "sub_workflow": (
        FlowField("sub_workflow_id", "workflow_id", "Workflow id", placeholder="12", literal=True),
        FlowField(
            "sub_payload_json",
            "payload",
            "Payload (JSON, templates allowed)",
            "json",
            default='{\n  "from": "{{ workflow.name }}"\n}',
        ),
        FlowField(
            "sub_wait",
            "wait",
            "Wait for it to end",
            "select",
            options=("true", "false"),
            default="true",
            literal=True,
        ),
    ),
    "approval": (
        FlowField(
            "approval_message",
            "message",
            "Message to the approvers",
            placeholder="Release {{ trigger.version }} to production?",
        ),
        FlowField(
            "approval_approvers_json",
            "approvers",
            'Approvers (JSON list: emails, "admin", "member")',
            "json",
            default='["admin"]',
        ),
        FlowField(
            "approval_timeout",
            "timeout_s",
            "Timeout (s, optional)",
            placeholder="86400",
            omit="",
            literal=True,
        ),
        FlowField(
            "approval_on_timeout",
            "on_timeout",
            "On timeout",
            "select",
            options=("reject", "approve"),
            default="reject",
        ),
        FlowField(
            "approval_alert",
            "notify_alert_id",
            "Alert id for Approve / Reject links (optional)",
            placeholder="3",
            omit="",
            literal=True,
        ),
    ),
    "orchestration": (
        FlowField(
            "orch_id",
            "orchestration_id",
            "Orchestration id (Admin → Orchestrations)",
            placeholder="3",
            literal=True,
        ),
        FlowField(
            "orch_inputs_json",
            "inputs",
            "Inputs (JSON, templates allowed; its calls see them as inputs)",
            "json",
            default='{\n  "user": "{{ trigger.user }}"\n}',
        ),
    ),
    "send_email": (
        FlowField(
            "email_connection",
            "connection",
            "SMTP connection (empty: the first one)",
            placeholder="Mail",
            omit="",
        ),
        FlowField("email_to", "to", "To (commas between addresses)", "list", "{{ trigger.email }}"),
        FlowField("email_cc", "cc", "Cc", "list", omit=""),
        FlowField("email_bcc", "bcc", "Bcc", "list", omit=""),
        FlowField(
            "email_template",
            "template",
            "Built-in template (used for what is left empty)",
            placeholder="welcome_email",
            omit="",
        ),
        FlowField(
            "email_subject",
            "subject",
            "Subject",
            placeholder="Welcome, {{ trigger.name }}!",
            omit="",
        ),
        FlowField("email_body", "body", "Text", "textarea", omit=""),
        FlowField("email_html", "html", "HTML (optional)", "textarea", omit=""),
    ),
    "api_call": (  # its other fields are the form's own (method, URL, headers, JSON body…)
        FlowField(
            "api_query_json",
            "query",
            'Query params (JSON object, templates allowed: {"city": "{{ trigger.city }}"})',
            "json",
            omit="",
        ),
        FlowField(
            "api_body",
            "body",
            "Raw body (text, templates allowed; instead of the JSON body)",
            "textarea",
            omit="",
        ),
    ),
    "for_each": (
        FlowField(
            "each_items",
            "items",
            "Items (a template giving a list)",
            placeholder="{{ steps.fetch.output.body.rows }}",
            default="{{ trigger.rows }}",
        ),
        FlowField(
            "each_concurrency",
            "concurrency",
            "Items at once (1–64)",
            placeholder="4",
            default="4",
            omit="",
            literal=True,
        ),
        FlowField(
            "each_step_json",
            "step",
            "Step per item (JSON: type, config, retry, timeout_s, continue_on_error;"
            " {{ item }} and {{ index }} in its templates)",
            "json",
            default='{\n  "type": "transform",\n  "config": {"values": {"value": "{{ item }}"}}\n}',
        ),
    ),
    "script": (
        FlowField(
            "script_code",
            "code",
            "Python code (input: json.load(sys.stdin); output: print(json.dumps(…)) last)",
            "code",
            default="import json, sys\n\ndata = json.load(sys.stdin)\n"
            'print(json.dumps({"hello": data.get("name")}))',
        ),
        FlowField(
            "script_input_json",
            "input",
            "Input (JSON on stdin, templates allowed; empty: null)",
            "json",
            default='{\n  "name": "{{ trigger.name }}"\n}',
            omit="",
        ),
        FlowField(
            "script_timeout",
            "timeout_s",
            "Wall clock (s, 1–600)",
            placeholder="30",
            omit="",
            literal=True,
        ),
        FlowField(
            "script_cpu", "cpu_s", "CPU time (s, 1–600)", placeholder="10", omit="", literal=True
        ),
        FlowField(
            "script_memory",
            "memory_mb",
            "Memory (MB, 64–4096)",
            placeholder="256",
            omit="",
            literal=True,
        ),
    ),
    "database": (
        FlowField(
            "db_connection",
            "connection",
            "Database connection (name or id)",
            placeholder="reports",
            literal=True,
        ),
        FlowField(
            "db_query",
            "query",
            "SQL: one statement, values as :name placeholders (never templated)",
            "code",
            default="SELECT * FROM customer WHERE id = :id",
        ),
        FlowField(
            "db_params_json",
            "params",
            "Params (JSON object, templates allowed)",
            "json",
            default='{\n  "id": "{{ trigger.id }}"\n}',
            omit="",
        ),
        FlowField(
            "db_write",
            "write",
            "Changes data (read-only otherwise)",
            "select",
            options=("false", "true"),
            default="false",
            omit="false",
            literal=True,
        ),
        FlowField(
            "db_max_rows",
            "max_rows",
            "Rows at most (1–10000)",
            placeholder="100",
            omit="",
            literal=True,
        ),
    ),
    **OPS_FIELDS,
}
#: Columns of a step's fields on a wide screen when not one per field.
FLOW_COLUMNS: dict[str, int] = {
    "send_email": 4,
    "api_call": 2,
    "script": 4,
    "database": 3,
    **OPS_COLUMNS,
}
#: Types whose `FLOW_FIELDS` are only part of their card (placed by the card, not a case of
#: their own in the form's match).
PARTIAL_FLOW_TYPES = frozenset({"api_call"})
FLOW_KEYS: tuple[str, ...] = tuple(f.key for fields in FLOW_FIELDS.values() for f in fields)


def flow_defaults() -> dict[str, str]:
    return {f.key: f.default for fields in FLOW_FIELDS.values() for f in fields}


def flow_config(
    form: Mapping[str, Any],
    prefix: str,
    problems: list[Problem],
    described: Mapping[str, tuple[FlowField, ...]] = FLOW_FIELDS,
) -> dict[str, Any]:
    """The config of a flow step (or of a trigger: `described` = its fields) from its form
    fields (bad JSON reported at the config path)."""
    config: dict[str, Any] = {}
    for f in described[form["type"]]:
        text = str(form.get(f.key) or "")
        if f.kind == "items":  # commas between the items; stored as a list
            items = [item.strip() for item in text.split(",") if item.strip()]
            if items or f.omit is None:
                config[f.config_key] = items
            continue
        if f.kind != "json":
            value = text.strip() if f.kind == "select" else text
            if f.omit is not None and value.strip() == f.omit:
                continue
            config[f.config_key] = _literal(value) if f.literal else value
            continue
        if f.omit is not None and text.strip() == f.omit:
            continue
        if f.omit is not None and text.strip() == f.omit:
            continue
        try:
            config[f.config_key] = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            path = f"{prefix}.config.{f.config_key}"
            problems.append(Problem(path, f"not valid JSON: {exc.msg} (line {exc.lineno})"))
    return config


def _literal(text: str) -> Any:
    """`"60"` → 60, `"true"` → True; anything else (a template, a time) stays text."""
    try:
        value = json.loads(text.strip())
    except ValueError:
        return text
    return value if isinstance(value, bool | int | float) else text


def flow_form(
    kind: str,
    config: Mapping[str, Any],
    described: Mapping[str, tuple[FlowField, ...]] = FLOW_FIELDS,
) -> dict[str, str]:
    """The form fields of a stored flow step's (or trigger's) config."""
    fields: dict[str, str] = {}
    for f in described.get(kind, ()):
        value = config.get(f.config_key)
        if value is None:
            if f.kind == "json" and f.omit is not None:
                fields[f.key] = f.omit  # a stored step without it: not the new step's example
            continue
        if f.kind in ("list", "items") and isinstance(value, list):
            fields[f.key] = ", ".join(str(v) for v in value)
        elif f.kind == "json" or not isinstance(value, str):
            fields[f.key] = json.dumps(value, indent=2) if f.kind == "json" else json.dumps(value)
        else:
            fields[f.key] = value
    return fields


def graph_spec(form: Mapping[str, Any]) -> dict[str, Any]:
    """`depends_on` / `trigger_rule` for a step's spec; defaults are left out."""
    spec: dict[str, Any] = {}
    if form.get("at_start"):
        spec["depends_on"] = []
    elif form.get("depends_on"):
        spec["depends_on"] = list(form["depends_on"])
    rule = form.get("trigger_rule") or DEFAULT_RULE
    if rule != DEFAULT_RULE:
        spec["trigger_rule"] = rule
    return spec


def graph_form(action: Mapping[str, Any]) -> dict[str, Any]:
    """The "Runs after" and "Trigger rule" fields of a stored step (snake or camel case)."""
    written = action.get("depends_on", action.get("dependsOn"))
    rule = action.get("trigger_rule", action.get("triggerRule")) or DEFAULT_RULE
    deps = [str(d) for d in written] if isinstance(written, list) else []
    return {"depends_on": deps, "at_start": written == [], "trigger_rule": str(rule)}


class DepOption(TypedDict):
    value: str
    label: str
    source: str  # the step it names: a card does not offer itself


def _outputs(form: Mapping[str, Any]) -> tuple[str, ...]:
    config: dict[str, Any] = {}
    if form["type"] == "switch":
        try:
            cases = json.loads(str(form.get("cases_json") or "{}"))
        except json.JSONDecodeError:
            cases = {}
        config["cases"] = cases if isinstance(cases, dict) else {}
    return branch_outputs({"type": form["type"], "config": config})


def dependency_choices(actions: list[Mapping[str, Any]]) -> list[DepOption]:
    """What a step may run after: every step, and each branch output of theirs (one list for
    every card: a card leaves out its own entries, so the data grows with the steps, not with
    their square)."""
    options: list[DepOption] = []
    for other in actions:
        step_id = str(other["id"]).strip()
        if not step_id:
            continue
        options.append(DepOption(value=step_id, label=step_id, source=step_id))
        for output in _outputs(other):
            value = f"{step_id}:{output}"
            options.append(DepOption(value=value, label=f"{step_id}: {output}", source=step_id))
        value = f"{step_id}:{FAILED_OUTPUT}"  # every step: the error handler's choice
        options.append(DepOption(value=value, label=f"{step_id} failed", source=step_id))
    return options


def missing_dependencies(
    actions: list[Mapping[str, Any]], choices: list[DepOption]
) -> list[list[DepOption]]:
    """Per card, the dependencies it has chosen that no other step offers (a renamed case, a
    removed output, itself), listed so that they can be unchecked."""
    by_source: dict[str, set[str]] = {}
    for option in choices:
        by_source.setdefault(option["source"], set()).add(option["value"])
    offered = {option["value"] for option in choices}
    missing = []
    for action in actions:
        own = by_source.get(str(action["id"]).strip(), set())
        missing.append(
            [
                DepOption(value=d, label=f"{d} (not found)", source="")
                for d in action.get("depends_on") or []
                if d not in offered or d in own
            ]
        )
    return missing


def dependency_options(actions: list[Mapping[str, Any]], index: int) -> list[DepOption]:
    """What step `index` may run after, as its card shows it: the other steps' choices, then
    the chosen dependencies no other step offers."""
    choices = dependency_choices(actions)
    own = str(actions[index]["id"]).strip()
    missing = missing_dependencies([actions[index]], choices)[0]
    return [o for o in choices if o["source"] != own] + missing


def rename_dependency(deps: list[str], old: str, new: str) -> list[str]:
    """`deps` with the step `old` (and its outputs) renamed to `new`."""
    renamed = []
    for dep in deps:
        source, colon, output = dep.partition(":")
        renamed.append(f"{new}{colon}{output}" if source == old and old else dep)
    return renamed


def drop_dependency(deps: list[str], step_id: str) -> list[str]:
    return [d for d in deps if d.partition(":")[0] != step_id]
