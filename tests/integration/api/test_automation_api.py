"""003's "API Examples" sent byte for byte to `/api/automation/...` (003 served them on port 8023
without `/api`; `wf_abc123` / `exec_xyz789` become the real ids): a draft workflow is stored, the
Slack node becomes a `share` step at its canvas position, and after resuming it the run posts
"Critical incident detected" to a loopback Slack. Also: an unknown `action_type`, edges, a
refused cycle, removing a node, and a draft without steps that can be neither run nor resumed."""

from __future__ import annotations

import json

import httpx

from app.engine.runner import Engine
from app.services import connections
from app.services.actor import Actor
from tests.integration.alerts.counterparts import SLACK_HOOK, serve_counterparts
from tests.integration.api import original_requests as doc

AUTO = "/api/automation"
ORCH = "/api/workflow-orchestration"
JSON = {"content-type": "application/json"}


async def _post(api: httpx.AsyncClient, path: str, body: bytes | dict) -> httpx.Response:
    if isinstance(body, bytes):
        return await api.post(AUTO + path, content=body, headers=JSON)
    return await api.post(AUTO + path, json=body)


async def _draft(api: httpx.AsyncClient) -> int:
    response = await _post(api, "/workflows", doc.fill(doc.INCIDENT_WORKFLOW))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_003_examples_create_add_node_execute_and_read(
    api: httpx.AsyncClient, engine: Engine, member: Actor
) -> None:
    response = await _post(api, "/workflows", doc.fill(doc.INCIDENT_WORKFLOW))
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["name"] == "Incident Response"
    assert draft["description"].startswith("Automated incident response workflow")
    assert "Category: Incident Management" in draft["description"]
    assert (draft["is_active"], draft["actions"], draft["trigger"]["type"]) == (
        False,
        [],
        "manual",
    )
    wf = draft["id"]
    stored = (await api.get(f"{ORCH}/workflows/{wf}")).json()
    assert stored["version"] == draft["version"] == 1

    refused = await _post(api, f"/workflows/{wf}/execute", doc.fill(doc.INCIDENT_EXECUTE))
    assert refused.status_code == 409, refused.text
    assert "add a step first" in refused.json()["error"]["message"]

    node = await _post(api, f"/workflows/{wf}/nodes", doc.fill(doc.ADD_NODE))
    assert node.status_code == 201, node.text
    added = node.json()
    assert (added["id"], added["workflow_id"], added["version"]) == ("send-slack-alert", wf, 2)
    assert any("channel" in note for note in added["notes"])
    step = (await api.get(f"{ORCH}/workflows/{wf}")).json()["actions"][0]
    assert step["name"] == "Send Slack Alert" and step["type"] == "share"
    assert step["ui"] == {"x": 100.0, "y": 200.0}
    assert step["config"]["platforms"] == ["slack"]
    assert step["config"]["message"] == "Critical incident detected"

    paused = await _post(api, f"/workflows/{wf}/execute", doc.fill(doc.INCIDENT_EXECUTE))
    assert paused.status_code == 409 and "resume" in paused.text  # still a draft
    assert (await api.post(f"{ORCH}/workflows/{wf}/resume")).status_code == 200

    with serve_counterparts() as slack:
        connections.create_connection(
            member,
            {"name": "ops", "platform": "slack", "webhookUrl": slack.base_url + SLACK_HOOK},
        )
        started = await _post(api, f"/workflows/{wf}/execute", doc.fill(doc.INCIDENT_EXECUTE))
        assert started.status_code == 202, started.text
        run_id = started.json()["id"]
        assert started.json()["trigger_payload"] == {
            "incident_id": "INC-12345",
            "severity": "critical",
        }
        await engine.drain()
        posts = [json.loads(r["body"]) for r in slack.slack]
    run = await api.get(f"{AUTO}/executions/{run_id}")
    assert run.status_code == 200, run.text
    assert run.json()["status"] == "succeeded", run.json()
    assert any("Critical incident detected" in json.dumps(p) for p in posts), posts


async def test_unknown_action_type_is_named_with_the_known_ones(
    api: httpx.AsyncClient,
) -> None:
    wf = await _draft(api)
    body = {"node_type": "action", "label": "Page someone", "config": {"action_type": "pager"}}
    response = await _post(api, f"/workflows/{wf}/nodes", body)
    assert response.status_code == 422, response.text
    (problem,) = response.json()["error"]["details"]
    assert problem["path"] == "config.action_type"
    assert "'pager' is unknown" in problem["message"] and "send_slack" in problem["message"]
    assert (await api.get(f"{ORCH}/workflows/{wf}")).json()["version"] == 1  # nothing saved


async def test_edges_connect_refuse_a_cycle_and_go_with_a_removed_node(
    api: httpx.AsyncClient,
) -> None:
    wf = await _draft(api)
    for label in ("Wait a bit", "Wait more"):
        body = {"label": label, "config": {"action_type": "delay", "seconds": 0}}
        assert (await _post(api, f"/workflows/{wf}/nodes", body)).status_code == 201
    edge = await _post(
        api, f"/workflows/{wf}/edges", {"source": "wait-a-bit", "target": "wait-more"}
    )
    assert edge.status_code == 201, edge.text
    steps = (await api.get(f"{ORCH}/workflows/{wf}")).json()["actions"]
    assert steps[1]["depends_on"] == ["wait-a-bit"]

    cycle = await _post(
        api, f"/workflows/{wf}/edges", {"source": "wait-more", "target": "wait-a-bit"}
    )
    assert cycle.status_code == 422, cycle.text
    assert "cycle" in cycle.text

    gone = await api.delete(f"{AUTO}/workflows/{wf}/nodes/wait-a-bit")
    assert gone.status_code == 200, gone.text
    steps = (await api.get(f"{ORCH}/workflows/{wf}")).json()["actions"]
    assert [s["id"] for s in steps] == ["wait-more"] and steps[0]["depends_on"] == []
    missing = await api.delete(f"{AUTO}/workflows/{wf}/nodes/wait-a-bit")
    assert missing.status_code == 404, missing.text


async def test_a_draft_without_steps_cannot_be_resumed(api: httpx.AsyncClient) -> None:
    wf = await _draft(api)
    response = await api.post(f"{ORCH}/workflows/{wf}/resume")
    assert response.status_code == 422, response.text
    assert "add a step first" in response.text
    assert (await api.get(f"{ORCH}/workflows/{wf}")).json()["is_active"] is False


async def test_the_last_step_of_an_active_workflow_stays_until_it_is_paused(
    api: httpx.AsyncClient,
) -> None:
    wf = await _draft(api)
    body = {"label": "Only step", "config": {"action_type": "delay", "seconds": 0}}
    assert (await _post(api, f"/workflows/{wf}/nodes", body)).status_code == 201
    assert (await api.post(f"{ORCH}/workflows/{wf}/resume")).status_code == 200
    refused = await api.delete(f"{AUTO}/workflows/{wf}/nodes/only-step")
    assert refused.status_code == 409, refused.text
    assert "pause it first" in refused.json()["error"]["message"]
    assert (await api.post(f"{ORCH}/workflows/{wf}/pause")).status_code == 200
    removed = await api.delete(f"{AUTO}/workflows/{wf}/nodes/only-step")
    assert removed.status_code == 200, removed.text
    assert (await api.get(f"{ORCH}/workflows/{wf}")).json()["actions"] == []
