"""One n8n node as one Flowdeck step (or trigger), by node type. Pure.

Each mapper reads the node's `parameters` as n8n's export writes them (defaults left out, so
every key is optional and may hold anything) and returns a `Mapped` step config or an
`Unmapped` reason. Expressions go through `app.core.n8n_expressions`, and what stays
untranslated, or needs a person (a connection to choose, a sub-workflow to find), is recorded
on the result for the import report. Graph-level nodes (Loop Over Items) are the importer's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.core.n8n_conditions import filter_condition, if_condition, typed_literal, v1_comparison
from app.core.n8n_data_nodes import http_request, set_fields
from app.core.n8n_expressions import Scope, Translated, is_expression, jinja_literal, operand
from app.core.n8n_model import Builder, Context, Mapped, N8nNode, TriggerMapped, Unmapped, listed
from app.core.n8n_triggers import TRIGGER_MAPPERS
from app.core.templates import check_condition

_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86_400}


def _if(node: N8nNode, context: Context) -> Mapped | Unmapped:
    condition = if_condition(node.parameters, node.version, context.scope)
    if condition.value is not None and check_condition(condition.value) is not None:
        condition = Translated(None, (str(condition.value),))
    mapped = Mapped("if", {"condition": condition.value or "false"}, outputs=[["true"], ["false"]])
    if condition.value is None:
        mapped.untranslated.extend(("condition", text) for text in condition.untranslated)
        mapped.attention.append("its condition could not be translated: set to false for now")
    return mapped


def _case_name(raw: Any, index: int, taken: set[str]) -> str:
    name = str(raw).strip().replace(":", "-") if isinstance(raw, str) and raw.strip() else ""
    name = name or f"output_{index}"
    while name in taken or name == "default":
        name += "_"
    taken.add(name)
    return name


def _switch(node: N8nNode, context: Context) -> Mapped | Unmapped:
    params, scope = node.parameters, context.scope
    if params.get("mode") == "expression":
        count = params.get("numberOutputs", 4)
        count = count if isinstance(count, int) and 0 < count <= 50 else 4
        value = operand(params.get("output", ""), scope)
        if value.value is None:
            return Unmapped(
                "its output index is computed by JavaScript that could not be translated"
            )
        cases = {f"output_{i}": i for i in range(count)}
        return Mapped(
            "switch",
            {"value": "{{ " + value.value + " }}", "cases": cases},
            outputs=[[f"output_{i}"] for i in range(count)],
        )
    rules, conditions, names = _switch_rules(node, scope)
    if not rules:
        return Unmapped("it has no rules")
    failed = [text for c in conditions for text in c.untranslated]
    failed += [str(c.value) for c in conditions if c.value and check_condition(c.value)]
    if failed:
        return Unmapped(f"a rule could not be translated: {failed[0]}")
    outputs: list[list[str]] = [[] for _ in range(max(i for i, _ in rules) + 1)]
    cases: dict[str, Any] = {}
    for (index, _), condition, name in zip(rules, conditions, names, strict=True):
        cases[name] = "{{ " + str(condition.value) + " }}"
        outputs[index].append(name)
    value: Any = True  # each case is a condition: the first that holds is taken
    if simple := _one_value(node, rules, names, scope):
        value, cases = simple
    fallback = _fallback(node, len(outputs))
    if fallback is not None:
        outputs += [[] for _ in range(fallback + 1 - len(outputs))]
        outputs[fallback].append("default")
    mapped = Mapped("switch", {"value": value, "cases": cases}, outputs=outputs)
    options = params.get("options") if isinstance(params.get("options"), Mapping) else {}
    if options.get("allMatchingOutputs") is True:
        mapped.attention.append(
            "n8n sent items to every matching output; Flowdeck takes the first matching case"
        )
    return mapped


def _switch_rules(
    node: N8nNode, scope: Scope
) -> tuple[list[tuple[int, Any]], list[Any], list[str]]:
    """(output index, rule), its condition and case name, for Switch v1-v3 rules."""
    params, taken = node.parameters, set()
    rules, conditions, names = [], [], []
    if node.version >= 3:
        raw = (
            params.get("rules", {}).get("values")
            if isinstance(params.get("rules"), Mapping)
            else None
        )
        for i, rule in enumerate(listed(raw)):
            if isinstance(rule, Mapping):
                rules.append((i, rule))
                conditions.append(filter_condition(rule.get("conditions"), scope))
                key = rule.get("outputKey") if rule.get("renameOutput") else None
                names.append(_case_name(key, i, taken))
        return rules, conditions, names
    raw = params.get("rules", {}).get("rules") if isinstance(params.get("rules"), Mapping) else None
    kind = str(params.get("dataType", "number"))
    for i, rule in enumerate(listed(raw)):
        if isinstance(rule, Mapping):
            index = rule.get("output") if node.version < 2 else i
            index = index if isinstance(index, int) and 0 <= index < 50 else i
            rules.append((index, rule))
            step = {**rule, "operation": rule.get("operation") or "equal"}
            conditions.append(v1_comparison(step, kind, params.get("value1", ""), scope))
            names.append(_case_name(rule.get("outputKey"), index, taken))
    return rules, conditions, names


def _one_value(
    node: N8nNode, rules: list[tuple[int, Any]], names: list[str], scope: Scope
) -> tuple[str, dict[str, Any]] | None:
    """`(value, {case: match})` when every rule compares one value for equality with a literal
    (the common switch, read as such in Flowdeck's form), else None."""
    lefts: list[Any] = []
    cases: dict[str, Any] = {}
    for (_, rule), name in zip(rules, names, strict=True):
        if node.version >= 3:
            filt = rule.get("conditions") if isinstance(rule.get("conditions"), Mapping) else {}
            items = listed(filt.get("conditions"))
            options = filt.get("options") if isinstance(filt.get("options"), Mapping) else {}
            if len(items) != 1 or not isinstance(items[0], Mapping):
                return None
            operator = items[0].get("operator")
            operator = operator if isinstance(operator, Mapping) else {}
            if (
                operator.get("operation", "equals") != "equals"
                or options.get("caseSensitive", True) is not True
            ):
                return None
            left, right = items[0].get("leftValue"), items[0].get("rightValue")
            kind = str(operator.get("type", "string"))
        else:
            if (rule.get("operation") or "equal") != "equal":
                return None
            left, right = node.parameters.get("value1"), rule.get("value2")
            kind = str(node.parameters.get("dataType", "number"))
        if is_expression(right) or jinja_literal(right) is None:
            return None
        lefts.append(left)
        cases[name] = typed_literal(right, kind)
    value = operand(lefts[0], scope).value if lefts else None
    if value is None or any(left != lefts[0] for left in lefts):
        return None
    return "{{ " + value + " }}", cases


def _fallback(node: N8nNode, outputs: int) -> int | None:
    params = node.parameters
    options = params.get("options") if isinstance(params.get("options"), Mapping) else {}
    raw = options.get("fallbackOutput") if node.version >= 3 else params.get("fallbackOutput")
    if raw == "extra":
        return outputs
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < 50:
        return raw
    return None


def _merge(node: N8nNode, context: Context) -> Mapped | Unmapped:
    mode = node.parameters.get("mode", "append")
    if mode == "append":
        return Mapped("merge", {"mode": "append"})
    mapped = Mapped("merge", {"mode": "object"})
    mapped.attention.append(
        f"n8n's merge mode {mode!r} has no Flowdeck twin: the step outputs {{step id: output}}"
    )
    return mapped


def _wait(node: N8nNode, context: Context) -> Mapped | Unmapped:
    params, b = node.parameters, Builder(context)
    resume = params.get("resume", "timeInterval")
    if resume == "timeInterval":
        default_amount, default_unit = (1, "hours") if node.version < 1.1 else (5, "seconds")
        amount, unit = params.get("amount", default_amount), params.get("unit", default_unit)
        if is_expression(amount):
            return Unmapped("its wait amount is an expression")
        if (
            not isinstance(amount, int | float)
            or isinstance(amount, bool)
            or str(unit) not in _SECONDS
        ):
            return Unmapped(f"its wait of {amount!r} {unit!r} is not a time")
        return b.mapped("wait", {"seconds": amount * _SECONDS[str(unit)]})
    if resume == "specificTime":
        return b.mapped("wait", {"until": b.value(params.get("dateTime", ""), "until")})
    if resume == "webhook":
        return b.mapped("wait", {"webhook": True}, notes=["resumes on its Flowdeck resume URL"])
    return Unmapped(f"resuming on {resume!r} has no Flowdeck wait")


def _sub_workflow(node: N8nNode, context: Context) -> Mapped | Unmapped:
    params = node.parameters
    if params.get("source", "database") != "database":
        return Unmapped("it runs a workflow given as JSON, a file or a URL, not a stored one")
    ref = params.get("workflowId")
    names = [ref.get("cachedResultName"), ref.get("value")] if isinstance(ref, Mapping) else [ref]
    target = next(
        (context.workflows[n] for n in names if isinstance(n, str) and n in context.workflows), None
    )
    if target is None:
        shown = next((n for n in names if isinstance(n, str) and n), "?")
        return Unmapped(
            f"needs a Flowdeck workflow: none is named {shown!r} (import that workflow first, "
            "or add a sub_workflow step by hand)"
        )
    options = params.get("options") if isinstance(params.get("options"), Mapping) else {}
    wait = options.get("waitForSubWorkflow", True) is not False
    payload: Any = "{{ " + context.scope.json + " }}" if context.scope.json else {}
    return Mapped("sub_workflow", {"workflow_id": target, "payload": payload, "wait": wait})


def _notify(platform: str, text_keys: tuple[str, ...], title_key: str | None) -> Callable[..., Any]:
    def mapper(node: N8nNode, context: Context) -> Mapped | Unmapped:
        params, b = node.parameters, Builder(context)
        resource, operation = params.get("resource", "message"), params.get("operation")
        if resource != "message" or operation not in (None, "post", "send", "sendMessage"):
            return Unmapped(f"{platform} {resource}.{operation} has no Flowdeck action")
        raw = next((params[k] for k in text_keys if params.get(k) not in (None, "")), "")
        message = b.value(raw, "message") if raw != "" else f"(message of n8n node {node.name})"
        config: dict[str, Any] = {"message": str(message)[:4000]}
        if title_key and isinstance(params.get(title_key), str) and params[title_key]:
            config["title"] = str(b.value(params[title_key], "title"))[:150]
        attention: list[str] = []
        notes: list[str] = []
        if platform == "email":  # Flowdeck sends email through an alert of type email
            alerts = list(context.alerts.get("email", ()))
            if len(alerts) == 1:
                config["alert"] = alerts[0]
            else:
                config["connection"] = "email"
                attention.append(
                    "Flowdeck sends email through an alert: set `alert` to the id of an email "
                    "alert instead of the placeholder connection 'email'"
                )
        elif len(known := list(context.connections.get(platform, ()))) == 1:
            config["connection"] = known[0]
        else:
            config["connection"] = platform
            attention.append(
                f"choose the {platform} connection to send through (placeholder name {platform!r})"
            )
        target = params.get("chatId") or params.get("channel") or params.get("channelId")
        target = target.get("value") if isinstance(target, Mapping) else target
        if isinstance(target, str) and target:
            notes.append(f"n8n sent to {target}; Flowdeck sends where the connection points")
        return b.mapped("notify", config, attention=attention, notes=notes)

    return mapper


def _no_op(node: N8nNode, context: Context) -> Mapped | Unmapped:
    return Mapped("transform", {"values": {}})


_JS = "it runs JavaScript, which Flowdeck does not: rewrite it as a transform with templates"
_REASONS = {
    "code": _JS,
    "function": _JS,
    "functionItem": _JS,
    "executeCommand": "it runs a shell command, which Flowdeck does not",
    "github": "GitHub API operations have no Flowdeck action (git_commit commits to a local "
    "repository): call the API with an api_call step and a github connection",
    "splitInBatches": "its loop body is not one step that can run per item: rebuild the loop "
    "as a for_each step",
}
ACTION_MAPPERS: dict[str, Callable[[N8nNode, Context], Mapped | Unmapped]] = {
    "httpRequest": http_request,
    "set": set_fields,
    "if": _if,
    "switch": _switch,
    "merge": _merge,
    "wait": _wait,
    "executeWorkflow": _sub_workflow,
    "slack": _notify("slack", ("text",), None),
    "telegram": _notify("telegram", ("text",), None),
    "emailSend": _notify("email", ("text", "html", "message"), "subject"),
    "noOp": _no_op,
}
#: What `$json` means after a step of each n8n type: its output, its body, or its own input.
OUTPUT_PATHS = {"httpRequest": ".output.body", "set": ".output"}
PASS_THROUGH = frozenset({"if", "switch", "wait", "noOp", "filter"})


def map_action(node: N8nNode, context: Context) -> Mapped | Unmapped:
    mapper = ACTION_MAPPERS.get(node.short_type)
    if mapper is not None:
        return mapper(node, context)
    if node.short_type in _REASONS:
        return Unmapped(_REASONS[node.short_type])
    if not node.short_type:
        return Unmapped("a community or non-core node: Flowdeck has no such action")
    return Unmapped("Flowdeck has no action for this node type")


def map_trigger(node: N8nNode, context: Context) -> TriggerMapped | Unmapped:
    mapper = TRIGGER_MAPPERS.get(node.short_type)
    if mapper is None:
        return Unmapped("Flowdeck has no trigger of this kind")
    return mapper(node, context)


def is_trigger(node: N8nNode) -> bool:
    return node.short_type in TRIGGER_MAPPERS or node.type.lower().endswith("trigger")
