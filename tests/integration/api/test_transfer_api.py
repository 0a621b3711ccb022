"""Workflow export and import over REST: every n8n fixture (dry run and real), imported
workflows running on the real engine against loopback servers, the export round trip, and
bad documents refused with every problem's path."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.services import connections
from app.services.actor import Actor
from tests.integration.alerts.counterparts import SLACK_HOOK, serve_counterparts
from tests.integration.conftest import Script

BASE = "/api/workflow-orchestration"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "n8n"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json"))


def _fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


async def _count(api: httpx.AsyncClient) -> int:
    return (await api.get(f"{BASE}/workflows")).json()["total"]


async def _run(api: httpx.AsyncClient, workflow_id: int, payload: dict | None = None) -> dict:
    body = {"triggerType": "manual", "payload": payload or {}}
    answer = await api.post(
        f"{BASE}/workflows/{workflow_id}/execute?wait=true&timeout=60", json=body
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _steps(execution: dict) -> dict[str, dict]:
    return {step["action_id"]: step for step in execution["steps"]}


@pytest.mark.parametrize("name", FIXTURE_NAMES)
async def test_each_fixture_imports_dry_and_for_real(
    api: httpx.AsyncClient, member: Actor, name: str
) -> None:
    if name == "wait_execute_workflow.json":  # its Execute Workflow node needs its target
        child = {
            "name": "Send welcome pack",
            "trigger": {"type": "manual"},
            "actions": [{"id": "noop", "type": "transform", "config": {"values": {}}}],
        }
        assert (await api.post(f"{BASE}/workflows", json=child)).status_code == 201
    before = await _count(api)
    dry = await api.post(f"{BASE}/workflows/import?dry_run=true", json=_fixture(name))
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True and dry.json()["source"] == "n8n"
    assert await _count(api) == before  # nothing saved
    real = await api.post(f"{BASE}/workflows/import", json=_fixture(name))
    assert real.status_code == 201, real.text
    created = real.json()
    assert created["workflow_type"] == "n8n" and created["version"] == 1
    assert created["report"] == dry.json()["report"]
    assert created["actions"] == dry.json()["definition"]["actions"]
    stored = await api.get(f"{BASE}/workflows/{created['id']}")
    assert stored.json()["actions"] == created["actions"]
    assert await _count(api) == before + 1


async def test_unmappable_nodes_are_listed_by_name_and_type(api: httpx.AsyncClient) -> None:
    answer = await api.post(f"{BASE}/workflows/import", json=_fixture("unmappable_nodes.json"))
    report = answer.json()["report"]
    assert {(u["node"], u["type"]) for u in report["unmapped"]} == {
        ("Score Leads", "n8n-nodes-base.code"),
        ("Tag Hot", "n8n-nodes-base.function"),
        ("Upsert Contact", "n8n-nodes-acme-crm.acmeCrm"),
        ("Open Issue", "n8n-nodes-base.github"),
    }
    assert [u["expression"] for u in report["untranslated"]] == ["{{ $input.all().length }}"]


async def test_an_unresolved_sub_workflow_needs_attention(api: httpx.AsyncClient) -> None:
    answer = await api.post(f"{BASE}/workflows/import", json=_fixture("wait_execute_workflow.json"))
    assert answer.status_code == 201, answer.text
    unmapped = answer.json()["report"]["unmapped"]
    assert unmapped[0]["node"] == "Send Welcome Pack"
    assert "Send welcome pack" in unmapped[0]["reason"]


async def test_imported_webhook_flow_runs_both_branches(
    api: httpx.AsyncClient, member: Actor, http_server: tuple[str, Script]
) -> None:
    base_url, script = http_server
    data = _fixture("webhook_http_if_slack.json")
    stock = next(n for n in data["nodes"] if n["name"] == "Get Stock")
    stock["parameters"]["url"] = "=" + base_url + "/api/stock/{{ $json.body.sku }}"
    with serve_counterparts() as slack:
        connections.create_connection(
            member,
            {"name": "orders", "platform": "slack", "webhookUrl": slack.base_url + SLACK_HOOK},
        )
        created = (await api.post(f"{BASE}/workflows/import", json=data)).json()
        assert created["report"]["attention"] == []  # the one Slack connection was chosen
        order = {"sku": "A-7", "order_id": 41, "quantity": 3}
        script.answers = [(200, {"available": 10}), (200, {"available": 1})]
        shipped = await _run(api, created["id"], {"body": order})
        assert shipped["status"] == "succeeded", shipped
        steps = _steps(shipped)
        assert steps["tell_slack"]["status"] == "succeeded"
        assert steps["backorder"]["status"] == "skipped"
        assert script.requests[0]["path"] == "/api/stock/A-7?warehouse=main&order=41"
        assert json.loads(slack.slack[0]["body"])["text"] == "Order 41 can ship: 10 in stock"
        short = await _run(api, created["id"], {"body": order})
        steps = _steps(short)
        assert steps["tell_slack"]["status"] == "skipped"
        assert steps["backorder"]["output"] == {"backorder": "A-7", "short_by": 2}


async def test_imported_switch_routes_on_the_real_engine(
    api: httpx.AsyncClient, http_server: tuple[str, Script]
) -> None:
    base_url, script = http_server
    data = _fixture("switch_tickets.json")
    next(n for n in data["nodes"] if n["name"] == "Next Ticket")["parameters"]["url"] = base_url
    created = (await api.post(f"{BASE}/workflows/import", json=data)).json()
    script.answers = [
        (200, {"id": 7, "priority": "urgent", "subject": "down"}),
        (200, {"id": 8, "priority": "low", "subject": "Your INVOICE"}),
        (200, {"id": 9, "priority": "low", "subject": "hello"}),
    ]
    ran = [_steps(await _run(api, created["id"])) for _ in range(3)]
    chosen = [
        [
            step
            for step in ("page_on-call", "billing_queue", "general_queue")
            if steps[step]["status"] == "succeeded"
        ]
        for steps in ran
    ]
    assert chosen == [["page_on-call"], ["billing_queue"], ["general_queue"]]
    assert ran[0]["page_on-call"]["output"] == {"queue": "pager", "ticket": 7}


async def test_imported_wait_and_sub_workflow_run(api: httpx.AsyncClient) -> None:
    child = {
        "name": "Send welcome pack",
        "trigger": {"type": "manual"},
        "actions": [
            {
                "id": "hello",
                "type": "transform",
                "config": {"values": {"to": "{{ trigger.customer.name }}"}},
            }
        ],
    }
    assert (await api.post(f"{BASE}/workflows", json=child)).status_code == 201
    created = (
        await api.post(f"{BASE}/workflows/import", json=_fixture("wait_execute_workflow.json"))
    ).json()
    assert created["report"]["unmapped"] == []
    done = await _run(api, created["id"])
    assert done["status"] == "succeeded", done
    steps = _steps(done)
    assert steps["wait"]["status"] == "succeeded"
    assert steps["send_welcome_pack"]["output"]["steps"]["hello"] == {"to": "Ada Lovelace"}


async def test_export_then_import_gives_the_same_definition(api: httpx.AsyncClient) -> None:
    data = _fixture("schedule_http_set_merge.json")
    original = (await api.post(f"{BASE}/workflows/import", json=data)).json()
    exported = await api.get(f"{BASE}/workflows/{original['id']}/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    document = exported.json()
    assert document["flowdeck_export"] == 1
    again = await api.post(f"{BASE}/workflows/import", json=document)
    assert again.status_code == 201, again.text
    assert again.json()["report"]["source"] == "flowdeck"
    second = (await api.get(f"{BASE}/workflows/{again.json()['id']}/export")).json()
    assert {k: v for k, v in second.items() if k != "exported_from"} == {
        k: v for k, v in document.items() if k != "exported_from"
    }


async def test_an_export_holds_no_webhook_secret(api: httpx.AsyncClient) -> None:
    body = {
        "name": "signed",
        "trigger": {
            "type": "webhook",
            "config": {"signature": "github", "secret": "s3cret-value-123"},
        },
        "actions": [{"id": "a", "type": "transform", "config": {"values": {}}}],
    }
    created = (await api.post(f"{BASE}/workflows", json=body)).json()
    exported = await api.get(f"{BASE}/workflows/{created['id']}/export")
    assert "s3cret-value-123" not in exported.text
    imported = (await api.post(f"{BASE}/workflows/import", json=exported.json())).json()
    assert imported["has_webhook_secret"] is True
    assert imported["webhook_secret"]  # a new one, shown once


@pytest.mark.parametrize(
    ("document", "paths"),
    [
        ({"hello": 1}, {""}),
        ({"nodes": [{"name": "A"}], "connections": {}}, {"nodes[0].type"}),
        ({"nodes": [], "connections": {"X": {"main": []}}}, {'connections["X"]'}),
        ({"flowdeck_export": 2, "name": "x"}, {"flowdeck_export"}),
        (
            {"flowdeck_export": 1, "name": "", "trigger": {"type": "nope"}, "actions": []},
            {"name", "trigger.type", "actions"},
        ),
    ],
)
async def test_bad_documents_are_422_with_paths(
    api: httpx.AsyncClient, document: dict, paths: set[str]
) -> None:
    before = await _count(api)
    answer = await api.post(f"{BASE}/workflows/import", json=document)
    assert answer.status_code == 422, answer.text
    assert paths <= {d["path"] for d in answer.json()["error"]["details"]}
    assert await _count(api) == before


async def test_a_bad_mapped_step_names_its_n8n_node(api: httpx.AsyncClient) -> None:
    data = _fixture("switch_tickets.json")
    next(n for n in data["nodes"] if n["name"] == "Next Ticket")["parameters"]["url"] = "ftp://x"
    answer = await api.post(f"{BASE}/workflows/import", json=data)
    details = {d["path"]: d["message"] for d in answer.json()["error"]["details"]}
    assert "Next Ticket" in details["actions[0].config.url"]


async def test_export_of_a_missing_workflow_is_404(api: httpx.AsyncClient) -> None:
    assert (await api.get(f"{BASE}/workflows/999/export")).status_code == 404


async def test_viewers_may_not_import_or_export_and_both_are_audited(
    api: httpx.AsyncClient, member: Actor
) -> None:
    from app.api import create_api
    from app.services import api_keys, audit_query, users
    from app.services.actor import SYSTEM

    created = (
        await api.post(f"{BASE}/workflows/import", json=_fixture("switch_tickets.json"))
    ).json()
    await api.get(f"{BASE}/workflows/{created['id']}/export")
    viewer = users.create_user(SYSTEM, email="viewer@example.com", role="viewer", password="v" * 12)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=viewer.id, name="viewer")
    transport = httpx.ASGITransport(app=create_api())
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://t", headers=headers
    ) as client:
        refused = await client.post(
            f"{BASE}/workflows/import", json=_fixture("switch_tickets.json")
        )
        assert refused.status_code == 403
        assert (await client.get(f"{BASE}/workflows/{created['id']}/export")).status_code == 403
    actions = [e["action"] for e in audit_query.list_events(SYSTEM, limit=200)["items"]]
    assert "workflow.imported" in actions and "workflow.exported" in actions


async def test_imported_loop_ships_each_order_then_tells_telegram(
    api: httpx.AsyncClient, member: Actor, http_server: tuple[str, Script]
) -> None:
    from tests.integration.alerts.counterparts import CHAT_ID, TELEGRAM_TOKEN

    base_url, script = http_server
    data = _fixture("loop_over_items_telegram.json")
    nodes = {n["name"]: n for n in data["nodes"]}
    nodes["Paid Orders"]["parameters"]["url"] = base_url + "/api/orders"
    nodes["Ship Order"]["parameters"]["url"] = "=" + base_url + "/api/orders/{{ $json.id }}/ship"
    script.answers = [(200, [{"id": 1}, {"id": 2}, {"id": 3}])]  # then {"ok": true} per item
    with serve_counterparts() as telegram:
        connections.create_connection(
            member,
            {
                "name": "shop bot",
                "platform": "telegram",
                "credentials": {"botToken": TELEGRAM_TOKEN},
                "config": {"apiBase": telegram.base_url, "defaultChatId": CHAT_ID},
            },
        )
        created = (await api.post(f"{BASE}/workflows/import", json=data)).json()
        assert [a["type"] for a in created["actions"]] == ["api_call", "for_each", "notify"]
        done = await _run(api, created["id"])
        assert done["status"] == "succeeded", done
        shipped = sorted(r["path"] for r in script.requests if r["method"] == "POST")
        assert shipped == [f"/api/orders/{i}/ship" for i in (1, 2, 3)]
        assert json.loads(script.requests[1]["body"])["carrier"] == "dhl"
        sent = json.loads(telegram.telegram[0]["body"])
        assert sent["text"] == f"Paid orders shipped (run {done['id']})"


async def test_a_switch_on_one_value_runs_as_value_and_cases(
    api: httpx.AsyncClient, http_server: tuple[str, Script]
) -> None:
    base_url, script = http_server
    data = _fixture("switch_tickets.json")
    nodes = {n["name"]: n for n in data["nodes"]}
    nodes["Next Ticket"]["parameters"]["url"] = base_url
    billing = nodes["Route"]["parameters"]["rules"]["values"][1]["conditions"]
    billing["options"]["caseSensitive"] = True
    billing["conditions"][0].update(
        leftValue="={{ $json.priority }}",
        rightValue="billing",
        operator={"type": "string", "operation": "equals"},
    )
    created = (await api.post(f"{BASE}/workflows/import", json=data)).json()
    route = next(a for a in created["actions"] if a["id"] == "route")
    assert route["config"]["value"] == "{{ steps.next_ticket.output.body.priority }}"
    script.answers = [(200, {"id": 3, "priority": "billing", "subject": "?"})]
    steps = _steps(await _run(api, created["id"]))
    assert steps["route"]["output"]["branch"] == "Billing"
    assert steps["billing_queue"]["status"] == "succeeded"
    assert steps["general_queue"]["status"] == "skipped"


async def test_a_500_node_export_near_the_body_cap_imports(api: httpx.AsyncClient) -> None:
    nodes = [{"name": "Start", "type": "n8n-nodes-base.manualTrigger", "parameters": {}}]
    connections: dict[str, Any] = {}
    for i in range(499):
        value = "={{ $json.n }}" + "x" * 1500  # about 1 KB per node… times 499
        nodes.append(
            {
                "name": f"Step {i}",
                "type": "n8n-nodes-base.set",
                "typeVersion": 3.4,
                "position": [i * 10, 0],
                "parameters": {"assignments": {"assignments": [{"name": "n", "value": value}]}},
            }
        )
        source = nodes[-2]["name"]
        connections[source] = {"main": [[{"node": f"Step {i}", "type": "main", "index": 0}]]}
    document = {"name": "big", "nodes": nodes, "connections": connections}
    assert 700_000 < len(json.dumps(document)) < 1024 * 1024
    started = time.perf_counter()
    answer = await api.post(f"{BASE}/workflows/import", json=document)
    elapsed = time.perf_counter() - started
    assert answer.status_code == 201, answer.text[:500]
    assert len(answer.json()["actions"]) == 499
    print(f"500-node import: {elapsed:.2f} s")
    assert elapsed < 30  # about 2 s here; a shared two-core machine gets a wide margin
    too_many = {
        **document,
        "nodes": nodes + [{**nodes[1], "name": "extra"}, {**nodes[1], "name": "x2"}],
    }
    refused = await api.post(f"{BASE}/workflows/import", json=too_many)
    assert refused.status_code == 422 and "nodes" in refused.text


async def test_a_bare_definition_with_its_secret_imports_like_a_create(
    api: httpx.AsyncClient,
) -> None:
    body = {
        "name": "bare",
        "trigger": {
            "type": "webhook",
            "config": {"signature": "github", "secret": "given-secret-1"},
        },
        "actions": [{"id": "a", "type": "transform", "config": {"values": {}}}],
    }
    dry = await api.post(f"{BASE}/workflows/import?dry_run=true", json=body)
    assert dry.status_code == 200 and "given-secret-1" not in dry.text
    created = await api.post(f"{BASE}/workflows/import", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["has_webhook_secret"] is True
    assert "webhook_secret" not in created.json()  # the caller gave it: nothing to show
    assert created.json()["report"]["source"] == "flowdeck"


async def test_a_deeply_nested_document_is_a_422(api: httpx.AsyncClient) -> None:
    deep: Any = "x"
    for _ in range(900):
        deep = [deep]
    body = {"name": "n", "trigger": {"type": "manual"}, "actions": [{"id": "a", "config": deep}]}
    answer = await api.post(f"{BASE}/workflows/import", json=body)
    assert answer.status_code == 422
    assert answer.json()["error"]["details"] == [
        {"path": "", "message": "nested more than 64 levels deep"}
    ]
