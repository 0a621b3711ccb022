"""The n8n importer: each node type, connections → depends_on, ids, the report. No I/O."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import ValidationFailed
from app.core.graph import validate_graph
from app.core.n8n_import import import_n8n, step_ids

FIXTURES = Path(__file__).parents[2] / "fixtures" / "n8n"
MANUAL = {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1}


def _node(name: str, kind: str, parameters: dict | None = None, **extra: Any) -> dict:
    return {
        "name": name,
        "type": f"n8n-nodes-base.{kind}" if "." not in kind else kind,
        "typeVersion": extra.pop("version", 1),
        "position": extra.pop("position", [0, 0]),
        "parameters": parameters or {},
        **extra,
    }


def _export(*nodes: dict, links: list[tuple[str, int, str]] | None = None) -> dict:
    """A manual trigger, then `nodes` in a chain (or connected as `links` says)."""
    all_nodes = [MANUAL, *nodes]
    if links is None:
        names = [n["name"] for n in all_nodes]
        links = [(a, 0, b) for a, b in zip(names, names[1:], strict=False)]
    connections: dict[str, Any] = {}
    for source, output, target in links:
        main = connections.setdefault(source, {"main": []})["main"]
        while len(main) <= output:
            main.append([])
        main[output].append({"node": target, "type": "main", "index": 0})
    return {"name": "t", "nodes": all_nodes, "connections": connections}


def _step(data: dict, step_id: str, **options: Any) -> dict:
    actions = import_n8n(data, **options).definition["actions"]
    return next(a for a in actions if a["id"] == step_id)


@pytest.mark.parametrize(
    ("node", "kind", "config"),
    [
        (
            _node("Call", "httpRequest", {"url": "https://x.test/a"}, version=4.2),
            "api_call",
            {"method": "GET", "url": "https://x.test/a"},
        ),
        (
            _node(
                "Call",
                "httpRequest",
                {
                    "method": "POST",
                    "url": "https://x.test/a",
                    "sendBody": True,
                    "bodyParameters": {"parameters": [{"name": "n", "value": "={{ 1 + 1 }}"}]},
                    "options": {"timeout": 2500},
                },
                version=4.2,
            ),
            "api_call",
            {
                "method": "POST",
                "url": "https://x.test/a",
                "json": {"n": "{{ 1 + 1 }}"},
                "timeout_s": 2.5,
            },
        ),
        (
            _node("Call", "httpRequest", {"requestMethod": "PUT", "url": "https://x.test/b"}),
            "api_call",
            {"method": "PUT", "url": "https://x.test/b"},
        ),
        (
            _node(
                "Set",
                "set",
                {"assignments": {"assignments": [{"name": "a.b", "value": "7", "type": "number"}]}},
                version=3.4,
            ),
            "transform",
            {"values": {"a": {"b": 7}}},
        ),
        (
            _node("Set", "set", {"values": {"string": [{"name": "s", "value": "v"}]}}, version=2),
            "transform",
            {"values": {"s": "v"}},
        ),
        (_node("Merge", "merge", {"mode": "append"}, version=2.1), "merge", {"mode": "append"}),
        (
            _node("Wait", "wait", {"amount": 2, "unit": "minutes"}, version=1.1),
            "wait",
            {"seconds": 120},
        ),
        (_node("Wait", "wait", {}, version=1), "wait", {"seconds": 3600}),
        (_node("Wait", "wait", {"resume": "webhook"}, version=1.1), "wait", {"webhook": True}),
        (_node("Nothing", "noOp"), "transform", {"values": {}}),
        (
            _node("Chat", "telegram", {"chatId": "42", "text": "hello"}, version=1.2),
            "notify",
            {"message": "hello", "connection": "telegram"},
        ),
        (
            _node("Mail", "emailSend", {"subject": "Hi", "text": "body"}, version=2.1),
            "notify",
            {"message": "body", "title": "Hi", "connection": "email"},
        ),
    ],
)
def test_each_mapped_node_type(node: dict, kind: str, config: dict) -> None:
    step_id = step_ids([node["name"]])[node["name"]]
    step = _step(_export(node), step_id)
    assert step["type"] == kind
    assert step["config"] == config


def test_slack_finds_the_one_slack_connection_or_asks_for_one() -> None:
    slack = _node("Tell", "slack", {"text": "=Done: {{ $json.id }}"}, version=2.2)
    data = _export(_node("Data", "set", {}, version=3.4), slack)
    found = import_n8n(data, connections={"slack": ["ops"]})
    step = found.definition["actions"][1]
    assert step["config"] == {"message": "Done: {{ steps.data.output.id }}", "connection": "ops"}
    assert found.report.attention == []
    asked = import_n8n(data, connections={"slack": ["a", "b"]})
    assert asked.definition["actions"][1]["config"]["connection"] == "slack"
    assert asked.report.attention[0]["node"] == "Tell"


def test_execute_workflow_needs_a_flowdeck_workflow_of_that_name() -> None:
    node = _node(
        "Run Child",
        "executeWorkflow",
        {"workflowId": {"__rl": True, "value": "abc", "mode": "list", "cachedResultName": "Child"}},
        version=1.1,
    )
    found = import_n8n(_export(node), workflows={"Child": 9})
    assert found.definition["actions"][0]["config"] == {
        "workflow_id": 9,
        "payload": "{{ trigger }}",  # the items it was given: the child's trigger
        "wait": True,
    }
    missing = import_n8n(_export(node, _node("After", "noOp")), workflows={})
    assert [u["node"] for u in missing.report.unmapped] == ["Run Child"]
    assert "Child" in missing.report.unmapped[0]["reason"]
    assert missing.definition["actions"][0]["depends_on"] == []  # took the skipped node's place


def test_if_outputs_become_true_and_false_dependencies() -> None:
    check = _node(
        "Check",
        "if",
        {
            "conditions": {
                "number": [{"value1": "={{ $json.n }}", "operation": "larger", "value2": 1}]
            }
        },
    )
    data = _export(
        check,
        _node("Yes", "noOp"),
        _node("No", "noOp"),
        _node("Join", "noOp"),
        links=[
            ("Start", 0, "Check"),
            ("Check", 0, "Yes"),
            ("Check", 1, "No"),
            ("Yes", 0, "Join"),
            ("No", 0, "Join"),
        ],
    )
    actions = {a["id"]: a for a in import_n8n(data).definition["actions"]}
    assert actions["check"]["config"] == {"condition": "trigger.n > 1"}
    assert actions["yes"]["depends_on"] == ["check:true"]
    assert actions["no"]["depends_on"] == ["check:false"]
    assert actions["join"]["depends_on"] == ["yes", "no"]
    assert actions["join"]["trigger_rule"] == "none_failed"  # runs after whichever branch ran


def test_switch_outputs_become_case_dependencies_with_the_fallback_as_default() -> None:
    rule = {
        "conditions": {
            "conditions": [
                {
                    "leftValue": "={{ $json.p }}",
                    "rightValue": "high",
                    "operator": {"type": "string", "operation": "equals"},
                }
            ]
        },
        "renameOutput": True,
        "outputKey": "High",
    }
    switch = _node(
        "Route",
        "switch",
        {"rules": {"values": [rule]}, "options": {"fallbackOutput": "extra"}},
        version=3,
    )
    data = _export(
        switch,
        _node("Hot", "noOp"),
        _node("Rest", "noOp"),
        links=[("Start", 0, "Route"), ("Route", 0, "Hot"), ("Route", 1, "Rest")],
    )
    actions = {a["id"]: a for a in import_n8n(data).definition["actions"]}
    assert actions["route"]["config"] == {"value": "{{ trigger.p }}", "cases": {"High": "high"}}
    assert actions["hot"]["depends_on"] == ["route:High"]
    assert actions["rest"]["depends_on"] == ["route:default"]


def test_switch_v2_rules_by_output_index() -> None:
    switch = _node(
        "Route",
        "switch",
        {
            "dataType": "string",
            "value1": "={{ $json.kind }}",
            "rules": {"rules": [{"value2": "a"}, {"value2": "b"}]},
            "fallbackOutput": 1,
        },
        version=2,
    )
    data = _export(
        switch,
        _node("A", "noOp"),
        _node("B", "noOp"),
        links=[("Start", 0, "Route"), ("Route", 0, "A"), ("Route", 1, "B")],
    )
    actions = {a["id"]: a for a in import_n8n(data).definition["actions"]}
    assert actions["route"]["config"] == {
        "value": "{{ trigger.kind }}",
        "cases": {"output_0": "a", "output_1": "b"},
    }
    assert actions["b"]["depends_on"] == ["route:output_1", "route:default"]
    assert actions["b"]["trigger_rule"] == "none_failed"


def test_unmappable_nodes_are_reported_and_bypassed() -> None:
    data = _export(
        _node("Fetch", "httpRequest", {"url": "https://x.test"}, version=4.2),
        _node("Code", "code", {"jsCode": "return items"}, version=2),
        _node("Custom", "n8n-nodes-acme.thing"),
        _node("Issue", "github", {"resource": "issue"}),
        _node("Off", "noOp", disabled=True),
        _node(
            "Log",
            "set",
            {"assignments": {"assignments": [{"name": "x", "value": "={{ $json.x }}"}]}},
            version=3.4,
        ),
    )
    imported = import_n8n(data)
    reported = {u["node"]: u["type"] for u in imported.report.unmapped}
    assert reported == {
        "Code": "n8n-nodes-base.code",
        "Custom": "n8n-nodes-acme.thing",
        "Issue": "n8n-nodes-base.github",
        "Off": "n8n-nodes-base.noOp",
    }
    log = imported.definition["actions"][-1]
    assert log["depends_on"] == ["fetch"]  # took the place of the nodes left out
    assert log["config"]["values"]["x"] == "{% raw %}{{ $json.x }}{% endraw %}"  # $json of Code
    assert imported.report.untranslated[0]["path"] == "actions[1].config.values.x"


def test_nodes_not_connected_to_the_trigger_are_left_out() -> None:
    data = _export(_node("Alone", "noOp"), links=[])
    imported = import_n8n(data)
    assert imported.report.unmapped[0]["node"] == "Alone"


def test_a_loop_over_an_http_response_becomes_a_for_each() -> None:
    data = _export(
        _node("Fetch", "httpRequest", {"url": "https://x.test/list"}, version=4.2),
        _node("Loop", "splitInBatches", {"batchSize": 5}, version=3),
        _node(
            "Post",
            "httpRequest",
            {
                "method": "POST",
                "url": "=https://x.test/{{ $json.id }}",
                "sendBody": True,
                "bodyParameters": {
                    "parameters": [{"name": "n", "value": "={{ $('Fetch').item.json.n }}"}]
                },
            },
            version=4.2,
        ),
        _node("Done", "noOp"),
        links=[
            ("Start", 0, "Fetch"),
            ("Fetch", 0, "Loop"),
            ("Loop", 1, "Post"),
            ("Post", 0, "Loop"),
            ("Loop", 0, "Done"),
        ],
    )
    imported = import_n8n(data)
    actions = {a["id"]: a for a in imported.definition["actions"]}
    assert set(actions) == {"fetch", "loop", "done"}
    loop = actions["loop"]
    assert loop["type"] == "for_each"
    assert loop["config"]["items"] == "{{ steps.fetch.output.body }}"
    assert loop["config"]["step"]["config"]["url"] == "https://x.test/{{ item.id }}"
    assert loop["config"]["step"]["config"]["json"] == {"n": "{{ item.n }}"}  # the paired item
    assert loop["config"]["concurrency"] == 5
    assert actions["done"]["depends_on"] == ["loop"]
    assert validate_graph(imported.definition["actions"]) == []


def test_a_loop_without_a_clear_meaning_is_reported_and_cut() -> None:
    data = _export(
        _node("Loop", "splitInBatches", {}, version=3),
        _node("A", "noOp"),
        _node("B", "noOp"),
        links=[("Start", 0, "Loop"), ("Loop", 1, "A"), ("A", 0, "B"), ("B", 0, "Loop")],
    )
    imported = import_n8n(data)
    assert imported.report.unmapped[0]["node"] == "Loop"
    assert validate_graph(imported.definition["actions"]) == []


@pytest.mark.parametrize(
    ("rule", "config"),
    [
        ({"field": "cronExpression", "expression": "0 9 * * 1"}, {"cron": "0 9 * * 1"}),
        ({"field": "cronExpression", "expression": "0 15 9 * * *"}, {"cron": "15 9 * * *"}),
        ({"field": "minutes", "minutesInterval": 5}, {"interval_seconds": 300}),
        ({"field": "seconds", "secondsInterval": 30}, {"interval_seconds": 30}),
        ({"field": "hours", "hoursInterval": 2, "triggerAtMinute": 10}, {"cron": "10 */2 * * *"}),
        ({"field": "days", "triggerAtHour": 6}, {"cron": "0 6 * * *"}),
        ({}, {"cron": "0 0 * * *"}),
        ({"field": "weeks", "triggerAtDay": [1, 5], "triggerAtHour": 8}, {"cron": "0 8 * * 1,5"}),
    ],
)
def test_schedule_trigger_rules(rule: dict, config: dict) -> None:
    trigger = {
        "name": "Every",
        "type": "n8n-nodes-base.scheduleTrigger",
        "typeVersion": 1.2,
        "parameters": {"rule": {"interval": [rule]}},
    }
    data = {
        "nodes": [trigger, _node("A", "noOp")],
        "connections": {"Every": {"main": [[{"node": "A"}]]}},
        "settings": {"timezone": "Europe/Paris"},
        "active": True,
    }
    definition = import_n8n(data).definition
    assert definition["trigger"] == {
        "type": "schedule",
        "config": {**config, "timezone": "Europe/Paris"},
    }
    assert definition["is_active"] is True


def test_an_inactive_schedule_is_imported_paused_and_a_second_trigger_reported() -> None:
    data = _export(_node("A", "noOp"))
    data["nodes"].append({"name": "Hook", "type": "n8n-nodes-base.webhook", "parameters": {}})
    imported = import_n8n(data)
    assert imported.definition["trigger"]["type"] == "manual"
    assert imported.report.unmapped[0]["node"] == "Hook"
    assert imported.definition["is_active"] is True


def test_step_ids_are_slugs_unique_and_short() -> None:
    names = [
        "Get Stock",
        "get stock",
        "Über Prüfung",
        "1st step",
        "x" * 100,
        "x" * 100 + "!",
        "!!!",
    ]
    ids = step_ids(names)
    assert ids["Get Stock"] == "get_stock"
    assert ids["get stock"] == "get_stock_2"
    assert ids["Über Prüfung"] == "uber_prufung"
    assert ids["1st step"] == "n_1st_step"
    assert len(set(ids.values())) == len(names)
    assert all(len(i) <= 63 and i[0].isalpha() for i in ids.values())


def test_positions_become_ui_hints_and_retry_settings_carry_over() -> None:
    node = _node(
        "Call",
        "httpRequest",
        {"url": "https://x.test"},
        version=4.2,
        position=[120, -40],
        retryOnFail=True,
        maxTries=4,
        waitBetweenTries=2000,
        onError="continueRegularOutput",
    )
    step = _step(_export(node), "call")
    assert step["ui"] == {"x": 120.0, "y": -40.0}
    assert step["retry"]["max_attempts"] == 4 and step["retry"]["delay_s"] == 2.0
    assert step["continue_on_error"] is True


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"nodes": "x", "connections": {}}, "nodes"),
        ({"nodes": [{"type": "n8n-nodes-base.noOp"}], "connections": {}}, "nodes[0].name"),
        ({"nodes": [MANUAL, MANUAL], "connections": {}}, "nodes[1].name"),
        ({"nodes": [MANUAL], "connections": {"Ghost": {"main": []}}}, 'connections["Ghost"]'),
        (
            {"nodes": [MANUAL], "connections": {"Start": {"main": [[{"node": "Ghost"}]]}}},
            'connections["Start"].main[0][0].node',
        ),
        ({"nodes": [MANUAL] * 501, "connections": {}}, "nodes"),
    ],
)
def test_malformed_exports_name_the_path(data: dict, path: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        import_n8n(data)
    assert path in {p.path for p in caught.value.problems}


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_fixture_maps_to_a_sound_graph(fixture: Path) -> None:
    imported = import_n8n(json.loads(fixture.read_text()), workflows={"Send welcome pack": 1})
    actions = imported.definition["actions"]
    assert actions and validate_graph(actions) == []
    assert len({a["id"] for a in actions}) == len(actions)
    mapped = {m["node"] for m in imported.report.mapped}
    unmapped = {u["node"] for u in imported.report.unmapped}
    names = {n["name"] for n in json.loads(fixture.read_text())["nodes"]}
    sticky = {
        n["name"] for n in json.loads(fixture.read_text())["nodes"] if "stickyNote" in n["type"]
    }
    assert mapped | unmapped | sticky == names and not mapped & unmapped


_JUNK = [
    None,
    5,
    -1,
    1.5,
    True,
    "",
    "x",
    "={{ $json.x }}",
    "={{",
    [],
    [1],
    {},
    {"a": 1},
    [{}],
    [None],
    {"values": 5},
    {"conditions": 5},
    {"assignments": 7},
    10**30,
    1e308,
    "{%",
]
_KEYS = [
    "rules",
    "conditions",
    "mode",
    "resume",
    "unit",
    "amount",
    "workflowId",
    "assignments",
    "fields",
    "values",
    "sendBody",
    "jsonBody",
    "rule",
    "batchSize",
    "interval",
    "node",
]


def _mutated(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        out = {
            k: rng.choice(_JUNK) if rng.random() < 0.2 else _mutated(v, rng)
            for k, v in value.items()
        }
        if rng.random() < 0.1:
            out[rng.choice(_KEYS)] = rng.choice(_JUNK)
        return out
    if isinstance(value, list):
        return [rng.choice(_JUNK) if rng.random() < 0.2 else _mutated(v, rng) for v in value]
    return value


@pytest.mark.parametrize("seed", range(4))
def test_any_damaged_export_is_mapped_or_refused_never_a_crash(seed: int) -> None:
    """Every key of an export may hold anything: the import maps it or names the problem."""
    rng = random.Random(seed)
    documents = [json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json"))]
    for _ in range(300):
        try:
            imported = import_n8n(
                _mutated(rng.choice(documents), rng), workflows={"Send welcome pack": 1}
            )
        except ValidationFailed:
            continue
        validate_graph(imported.definition["actions"])
        json.dumps(imported.report.as_dict())


def test_a_switch_on_several_values_keeps_one_condition_per_case() -> None:
    def rule(left: str, operation: str, right: str) -> dict:
        operator = {"type": "string", "operation": operation}
        condition = {"leftValue": left, "rightValue": right, "operator": operator}
        return {"conditions": {"conditions": [condition]}}

    rules = [rule("={{ $json.a }}", "equals", "x"), rule("={{ $json.b }}", "contains", "y")]
    switch = _node("Route", "switch", {"rules": {"values": rules}}, version=3)
    config = _step(_export(switch), "route")["config"]
    assert config == {
        "value": True,
        "cases": {"output_0": '{{ trigger.a == "x" }}', "output_1": '{{ "y" in trigger.b }}'},
    }


def test_five_hundred_nodes_left_out_in_a_lattice_import_quickly() -> None:
    """Each left-out node hands its dependencies on once (a lattice has 2^249 paths)."""
    layers = [[f"Code {i}a", f"Code {i}b"] for i in range(249)]
    nodes = [_node(name, "code") for layer in layers for name in layer] + [_node("End", "noOp")]
    links = [("Start", 0, name) for name in layers[0]]
    for upper, lower in zip(layers, layers[1:], strict=False):
        links += [(a, 0, b) for a in upper for b in lower]
    links += [(name, 0, "End") for name in layers[-1]]
    started = time.perf_counter()
    imported = import_n8n(_export(*nodes, links=links))
    elapsed = time.perf_counter() - started
    assert imported.definition["actions"] == [
        {
            "id": "end",
            "name": "End",
            "type": "transform",
            "config": {"values": {}},
            "depends_on": [],
            "ui": {"x": 0.0, "y": 0.0},
        }
    ]
    assert len(imported.report.unmapped) == 498
    assert elapsed < 5, elapsed  # about 0.1 s; generous for a loaded machine


def test_email_send_uses_the_one_email_alert_or_asks_for_one() -> None:
    mail = _node("Mail", "emailSend", {"subject": "Done", "text": "=Run {{ $execution.id }}"})
    found = import_n8n(_export(mail), alerts={"email": [4], "slack": [5]})
    config = found.definition["actions"][0]["config"]
    assert config == {"message": "Run {{ execution.id }}", "title": "Done", "alert": 4}
    assert found.report.attention == []
    asked = import_n8n(_export(mail), alerts={"email": [4, 6]})
    assert asked.definition["actions"][0]["config"]["connection"] == "email"
    assert "email alert" in asked.report.attention[0]["message"]


def test_the_description_names_the_n8n_workflow_and_an_error_workflow_is_noted() -> None:
    data = {**_export(_node("A", "noOp")), "id": "Qk3m", "settings": {"errorWorkflow": "42"}}
    imported = import_n8n(data)
    assert imported.definition["description"] == "Imported from n8n (workflow Qk3m)"
    assert any("workflow_fail" in note for note in imported.report.notes)


def _deep(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


def test_deeply_nested_documents_and_json_texts_are_refused_not_a_crash() -> None:
    with pytest.raises(ValidationFailed) as caught:
        import_n8n(_export(_node("A", "noOp", {"x": _deep(900)})))
    assert caught.value.problems[0].message == "nested more than 64 levels deep"
    raw = _node(
        "Raw", "set", {"mode": "raw", "jsonOutput": json.dumps({"a": _deep(900)})}, version=3.4
    )
    assert import_n8n(_export(raw)).report.unmapped[0]["node"] == "Raw"
    dotted = {"name": ".".join(["a"] * 5000), "value": "1", "type": "number"}
    typed = {"name": "o", "value": json.dumps(_deep(900)), "type": "object"}
    setter = _node("Set", "set", {"assignments": {"assignments": [dotted, typed]}}, version=3.4)
    values = _step(_export(setter), "set")["config"]["values"]
    assert isinstance(values["a"], dict) and isinstance(values["o"], str)  # kept as text


def test_a_real_trigger_is_preferred_to_the_manual_test_trigger() -> None:
    data = _export(_node("A", "noOp"))
    hook = {"name": "Hook", "type": "n8n-nodes-base.webhook", "typeVersion": 2, "parameters": {}}
    data["nodes"].append(hook)
    data["connections"]["Hook"] = {"main": [[{"node": "A", "type": "main", "index": 0}]]}
    imported = import_n8n(data)
    assert imported.definition["trigger"]["type"] == "webhook"
    assert imported.report.unmapped == [
        {
            "node": "Start",
            "type": "n8n-nodes-base.manualTrigger",
            "reason": "a Flowdeck workflow has one trigger; 'Hook' is kept",
        }
    ]
    assert imported.definition["actions"][0]["depends_on"] == []


def test_a_switch_to_every_matching_output_is_flagged() -> None:
    rule = {"conditions": {"conditions": [{"leftValue": "={{ $json.a }}", "rightValue": "x"}]}}
    parameters = {"rules": {"values": [rule]}, "options": {"allMatchingOutputs": True}}
    imported = import_n8n(_export(_node("Route", "switch", parameters, version=3)))
    assert "first matching case" in imported.report.attention[0]["message"]


@pytest.mark.parametrize(
    ("node_type", "parameters", "trigger"),
    [
        ("errorTrigger", {}, {"type": "alert", "config": {}}),
        (
            "localFileTrigger",
            {"triggerOn": "folder", "path": "/srv/in", "events": ["add", "unlink"]},
            {"type": "file_watch", "config": {"path": "/srv/in", "events": ["created", "deleted"]}},
        ),
    ],
)  # fmt: skip
def test_error_and_local_file_triggers(node_type: str, parameters: dict, trigger: dict) -> None:
    node = {"name": "T", "type": f"n8n-nodes-base.{node_type}", "parameters": parameters}
    data = {"nodes": [node, _node("A", "noOp")], "connections": {"T": {"main": [[{"node": "A"}]]}}}
    imported = import_n8n(data)
    assert imported.definition["trigger"] == trigger


def test_an_imap_email_trigger_becomes_an_email_trigger() -> None:
    node = {"name": "T", "type": "n8n-nodes-base.emailReadImap", "parameters": {
        "mailbox": "Orders", "postProcessAction": "read",
        "options": {"customEmailConfig": '["UNSEEN", ["FROM", "a@b.c"]]'}}}  # fmt: skip
    data = {"nodes": [node, _node("A", "noOp")], "connections": {"T": {"main": [[{"node": "A"}]]}}}
    imported = import_n8n(data)
    assert imported.definition["trigger"] == {
        "type": "email", "config": {"connection": "imap", "mailbox": "Orders"}
    }  # fmt: skip
    said = " ".join(a["message"] for a in imported.report.attention)
    assert "choose the imap connection" in said and "from_contains" in said


def test_a_local_file_trigger_on_one_file_is_reported() -> None:
    node = {"name": "T", "type": "n8n-nodes-base.localFileTrigger",
            "parameters": {"triggerOn": "file", "path": "/srv/in/a.csv"}}  # fmt: skip
    data = {"nodes": [node, _node("A", "noOp")], "connections": {"T": {"main": [[{"node": "A"}]]}}}
    imported = import_n8n(data)
    assert imported.definition["trigger"]["type"] == "manual"
    assert "watches one file" in imported.report.unmapped[0]["reason"]
