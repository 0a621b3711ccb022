"""The original 002 document's workflow shape (BlueBirdHub) translated into Flowdeck's. Pure.

002 writes a workflow as `steps` (`{name, step_type, order, config}`) and `triggers`
(`[{name, trigger_type, is_enabled}]`) in a `workspace_id`. Flowdeck's shape is `actions`
(`{id, name, type, config, depends_on}`) and one `trigger`. `translate` maps one onto the
other and says, as save warnings (`{path, message}`), what will not work as written:

- steps run in `order`; each gets an id made from its name and runs after the one before it;
- `SEND_EMAIL` is a `send_email` step (an SMTP connection sends it), `CALL_API` an
  `api_call` (`data` is its JSON body, `params` its query);
- a `CALL_API` URL that is a path (`/api/customers`) is called on the base URL of an HTTP API
  connection, as n8n credentials or Windmill resources hold a service's address: the one the
  step names (`connection`), else the one named `api` (`API_CONNECTION`). When that
  connection does not exist, a warning says to add it; the run's step then fails saying so;
- template references to names Flowdeck's context does not have (`{{customer_email}}`) are
  the trigger payload's fields, as in 002 where the webhook's payload is the workflow's
  variables: they are rewritten to where Flowdeck keeps them, `{{trigger.body.customer_email}}`
  for a webhook (its JSON body; `app.services.hooks`), `{{trigger.customer_email}}` for a
  manual or scheduled run, so the stored workflow says what it reads, the form shows it and
  the run needs no second lookup;
- `WEBHOOK`, `SCHEDULE` and `MANUAL` triggers map to Flowdeck's; `is_enabled` is `is_active`;
- `workspace_id` is accepted and dropped with a warning (Flowdeck has no workspaces).

Problems (`ValidationFailed`) name the 002 path (`steps[1].step_type`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateSyntaxError, meta

from app.core.errors import Problem, ValidationFailed
from app.core.templates import _ENV

#: The HTTP API connection whose base URL a CALL_API path is called on, unless a step names one.
API_CONNECTION = "api"
#: The names the run context has (`app.engine.run_setup.run_context`) and template globals.
CONTEXT_NAMES = frozenset(
    {"trigger", "steps", "workflow", "execution", "env", "now", "item", "index", "range"}
)
STEP_TYPES = {"SEND_EMAIL": "send_email", "CALL_API": "api_call"}
TRIGGER_TYPES = {"WEBHOOK": "webhook", "SCHEDULE": "schedule", "MANUAL": "manual"}
_STEP_KEYS = {"name", "step_type", "order", "config", "description"}
_TRIGGER_KEYS = {"name", "trigger_type", "is_enabled", "config"}
#: 002's CALL_API config keys → api_call's.
_API_KEYS = {"data": "json", "params": "query", "timeout": "timeout_s"}
MAX_STEPS = 200


@dataclass
class Translated:
    """The Flowdeck workflow body and the warnings to show on save."""

    data: dict[str, Any]
    warnings: list[dict[str, str]] = field(default_factory=list)


def is_002_shape(data: Mapping[str, Any]) -> bool:
    """A body in 002's shape: `steps` or `triggers`, and neither `actions` nor `trigger`."""
    return ("steps" in data or "triggers" in data) and not ("actions" in data or "trigger" in data)


def step_id(name: str, taken: Collection[str]) -> str:
    """An action id from a step's name (`Send Welcome Email` → `send_welcome_email`), unique."""
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:56] or "step"
    if not base[0].isalpha():
        base = f"step_{base}"[:56]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def payload_references(text: str, root: str = "trigger") -> str:
    """`text` with each template name the run context lacks read from `root`, the trigger
    payload: `{{customer_email}}` → `{{trigger.customer_email}}` (filters, attributes, keyword
    arguments, `{% set %}` and loop variables are left alone). Text that is no template, or
    does not parse, is returned unchanged (the save reports a broken template)."""
    if "{{" not in text and "{%" not in text:
        return text
    try:
        unknown = meta.find_undeclared_variables(_ENV.parse(text)) - CONTEXT_NAMES
        tokens = list(_ENV.lex(text))
    except TemplateSyntaxError:
        return text
    if not unknown:
        return text
    significant = [i for i, t in enumerate(tokens) if t[1] != "whitespace"]
    out = [t[2] for t in tokens]
    for pos, i in enumerate(significant):
        _, kind, value = tokens[i]
        if kind != "name" or value not in unknown:
            continue
        before = tokens[significant[pos - 1]] if pos else None
        after = tokens[significant[pos + 1]] if pos + 1 < len(significant) else None
        if before is not None and (before[2] in (".", "|") or before[2] == "is"):
            continue
        if after is not None and after[2] == "=":
            continue
        out[i] = f"{root}.{value}"
    return "".join(out)


def _payload_refs(value: Any, root: str) -> Any:
    if isinstance(value, str):
        return payload_references(value, root)
    if isinstance(value, dict):
        return {k: _payload_refs(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_payload_refs(v, root) for v in value]
    return value


def _step_problems(index: int, step: Any) -> list[Problem]:
    path = f"steps[{index}]"
    if not isinstance(step, dict):
        return [Problem(path, "must be an object: {name, step_type, order, config}")]
    problems = [Problem(f"{path}.{k}", "unknown field") for k in step if k not in _STEP_KEYS]
    if not isinstance(step.get("name"), str) or not step["name"].strip():
        problems.append(Problem(f"{path}.name", "required: the step's name"))
    kind = step.get("step_type")
    if kind not in STEP_TYPES:
        known = ", ".join(STEP_TYPES)
        problems.append(
            Problem(
                f"{path}.step_type",
                f"must be one of {known} (for other steps write Flowdeck's `actions`)",
            )
        )
    order = step.get("order")
    if order is not None and (isinstance(order, bool) or not isinstance(order, int)):
        problems.append(Problem(f"{path}.order", "must be a whole number"))
    if not isinstance(step.get("config", {}), dict):
        problems.append(Problem(f"{path}.config", "must be an object"))
    return problems


def _api_config(config: dict[str, Any]) -> dict[str, Any]:
    out = {_API_KEYS.get(k, k): v for k, v in config.items()}
    if isinstance(out.get("method"), str):
        out["method"] = out["method"].upper()
    return out


def _is_path(url: Any) -> bool:
    return isinstance(url, str) and not url.startswith(("http://", "https://"))


def _actions(
    steps: list[dict[str, Any]],
    root: str,
    connections: Collection[str],
    warnings: list[dict[str, str]],
) -> list[dict[str, Any]]:
    ordered = sorted(
        enumerate(steps), key=lambda p: (p[1].get("order", p[0] + 1), p[0])
    )  # stable: equal orders keep the order written
    actions: list[dict[str, Any]] = []
    for index, (_, step) in enumerate(ordered):
        kind = STEP_TYPES[step["step_type"]]
        config = _payload_refs(dict(step.get("config") or {}), root)
        if kind == "api_call":
            config = _api_config(config)
            if _is_path(config.get("url")) and config.get("connection") is None:
                config["connection"] = API_CONNECTION
            ref = config.get("connection")
            if _is_path(config.get("url")) and isinstance(ref, str) and ref not in connections:
                warnings.append(
                    {
                        "path": f"actions[{index}].config.connection",
                        "message": f"{config['url']} is a path: it is called on the base URL of "
                        f"the HTTP API connection {ref!r}, which does not exist: add it under "
                        "Connections (platform HTTP API, base URL such as "
                        "https://crm.example.com); until then the step fails",
                    }
                )
        action: dict[str, Any] = {
            "id": step_id(step["name"], {a["id"] for a in actions}),
            "name": step["name"].strip(),
            "type": kind,
            "config": config,
        }
        if actions:
            action["depends_on"] = [actions[-1]["id"]]
        actions.append(action)
    return actions


def _trigger(triggers: Any, problems: list[Problem]) -> tuple[dict[str, Any], bool | None]:
    """Flowdeck's trigger and whether the workflow is active (None: not said)."""
    if triggers is None or triggers == []:
        return {"type": "manual", "config": {}}, None
    if not isinstance(triggers, list):
        problems.append(Problem("triggers", "must be a list"))
        return {}, None
    if len(triggers) > 1:
        problems.append(Problem("triggers", "a Flowdeck workflow has one trigger: give one"))
        return {}, None
    trig = triggers[0]
    if not isinstance(trig, dict):
        problems.append(Problem("triggers[0]", "must be an object: {name, trigger_type}"))
        return {}, None
    problems += [
        Problem(f"triggers[0].{k}", "unknown field") for k in trig if k not in _TRIGGER_KEYS
    ]
    kind = TRIGGER_TYPES.get(str(trig.get("trigger_type")))
    if kind is None:
        problems.append(
            Problem("triggers[0].trigger_type", f"must be one of {', '.join(TRIGGER_TYPES)}")
        )
    enabled = trig.get("is_enabled")
    if enabled is not None and not isinstance(enabled, bool):
        problems.append(Problem("triggers[0].is_enabled", "must be true or false"))
    config = trig.get("config", {})
    if not isinstance(config, dict):
        problems.append(Problem("triggers[0].config", "must be an object"))
        config = {}
    if kind == "schedule" and "cron_expression" in config:
        config = {("cron" if k == "cron_expression" else k): v for k, v in config.items()}
    return {"type": kind or "manual", "config": dict(config)}, enabled


def translate(data: Mapping[str, Any], connections: Collection[str] = ()) -> Translated:
    """Flowdeck's body for the 002-shaped `data` (see the module docstring); `connections` are
    the names of the connections that exist (a CALL_API path's connection is checked)."""
    problems: list[Problem] = []
    steps = data.get("steps", [])
    if not isinstance(steps, list):
        raise ValidationFailed([Problem("steps", "must be a list of steps")])
    if len(steps) > MAX_STEPS:
        raise ValidationFailed([Problem("steps", f"at most {MAX_STEPS} steps")])
    for index, step in enumerate(steps):
        problems += _step_problems(index, step)
    orders = [s.get("order") for s in steps if isinstance(s, dict) and s.get("order") is not None]
    if len(orders) != len(set(map(str, orders))):
        problems.append(Problem("steps", "two steps have the same order"))
    trigger, enabled = _trigger(data.get("triggers"), problems)
    if problems:
        raise ValidationFailed(problems)
    warnings: list[dict[str, str]] = []
    if "workspace_id" in data:
        warnings.append(
            {
                "path": "workspace_id",
                "message": "Flowdeck has no workspaces: the workflow belongs to the whole "
                f"team (workspace_id {data['workspace_id']!r} was not stored)",
            }
        )
    out = {k: v for k, v in data.items() if k not in ("steps", "triggers", "workspace_id")}
    out["trigger"] = trigger
    root = "trigger.body" if trigger["type"] == "webhook" else "trigger"
    out["actions"] = _actions(steps, root, connections, warnings)
    if enabled is not None and "is_active" not in out:
        out["is_active"] = enabled
    return Translated(out, warnings)
