"""Stored step data is capped (FLOWDECK_MAX_STEP_DATA_BYTES, 1 MiB by default); the next step
still gets the full value, and the execution's page and API answer stay small."""

from __future__ import annotations

import httpx

from app.core.stored_data import MARKER_OVERHEAD, is_truncated, json_size
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor

MIB = 1_048_576
VALUES = 30  # 30 values of 100 000 characters: about 3 MB of output, and as much input
BIG = "{{ 'x' * 100000 }}"


async def test_a_multi_megabyte_output_is_stored_capped_and_passed_on_whole(
    engine: Engine, member: Actor, api: httpx.AsyncClient
) -> None:
    data = {
        "name": "big output",
        "trigger": {"type": "manual"},
        "actions": [
            {
                "id": "big",
                "type": "transform",
                "config": {"values": {f"v{i}": BIG for i in range(VALUES)}},
            },
            {
                "id": "count",
                "type": "transform",
                "config": {
                    "values": {
                        "keys": "{{ steps.big.output.keys()|list|length }}",
                        "last": "{{ steps.big.output.v29|length }}",
                    }
                },
            },
        ],
    }
    wf = workflows.create_workflow(member, data).workflow["id"]
    run = await executions.execute_workflow(member, wf)
    await engine.drain()
    result = executions.get_execution(member, run["id"])
    assert result["status"] == "succeeded", result["error"]
    big, count = result["steps"]

    # the next step saw every character, not the stored marker
    assert count["output"] == {"keys": VALUES, "last": 100_000}
    for stored in (big["output"], big["input"]):
        assert is_truncated(stored), str(stored)[:200]
        assert stored["original_bytes"] > VALUES * 100_000
        assert MIB - MARKER_OVERHEAD - 10 < json_size(stored) <= MIB
    assert big["output"]["preview"].startswith('{"v0": "xxxx')

    response = await api.get(f"/api/workflow-orchestration/executions/{run['id']}")
    assert response.status_code == 200
    assert len(response.content) < 2 * MIB + 20_000  # the two capped fields and the rest
    print(f"stored run: API answer {len(response.content) / 1e6:.2f} MB for ~6 MB of step data")
