"""A runaway template must not stall the app: it renders off the loop and stops at timeout_s."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from app.api import create_api
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor

# The shape: many values, each a nested loop under the old per-string loop budget
# (90 000 < 100 000 iterations) whose body costs a filter call. On the old code each value
# took ~0.7 s on the event loop, one after the other.
HEAVY = (
    "{% for i in range(300) %}{% for j in range(300) %}{{ trigger.w|upper }}{% endfor %}"
    "{% endfor %}"
)
VALUES = 30
TIMEOUT_S = 1.0


@pytest.fixture
async def health_client(engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    """The REST API served on the engine's own event loop."""
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://flowdeck") as client:
        yield client


async def _probe(client: httpx.AsyncClient, stop: asyncio.Event, latencies: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        response = await client.get("/api/health")
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        await asyncio.sleep(0.02)


async def test_a_runaway_render_leaves_health_answering_and_times_out(
    engine: Engine, member: Actor, health_client: httpx.AsyncClient
) -> None:
    values = {f"v{i}": HEAVY for i in range(VALUES)}
    data = {
        "name": "runaway",
        "trigger": {"type": "manual"},
        "actions": [
            {"id": "t", "type": "transform", "config": {"values": values}, "timeout_s": TIMEOUT_S}
        ],
    }
    wf = workflows.create_workflow(member, data).workflow["id"]
    await health_client.get("/api/health")  # warm up (imports, first connection)

    stop, latencies = asyncio.Event(), []
    probe = asyncio.create_task(_probe(health_client, stop, latencies))
    started = time.perf_counter()
    run = await executions.execute_workflow(member, wf, payload={"w": "ab"})
    await executions.wait_for_finish(run["id"], 30)
    elapsed = time.perf_counter() - started
    stop.set()
    await probe

    result = executions.get_execution(member, run["id"])
    step = result["steps"][0]
    assert result["status"] == "failed" and step["status"] == "failed"
    assert step["error"].startswith(f"timed out after {TIMEOUT_S:g} s"), step["error"]
    assert elapsed < TIMEOUT_S + 1.5, elapsed
    assert len(latencies) >= 10, latencies
    p95 = statistics.quantiles(latencies, n=20)[-1]
    print(f"health during the render: n={len(latencies)} p95={p95:.1f} ms max={max(latencies):.1f}")
    assert p95 < 100, latencies


async def test_a_step_without_timeout_is_stopped_by_its_budget(
    engine: Engine, member: Actor
) -> None:
    """No timeout_s: the per-step loop budget ends the same config long before 200 × 0.7 s."""
    values = {f"v{i}": HEAVY.replace("|upper", "") for i in range(200)}
    data = {
        "name": "budgeted",
        "trigger": {"type": "manual"},
        "actions": [{"id": "t", "type": "transform", "config": {"values": values}}],
    }
    wf = workflows.create_workflow(member, data).workflow["id"]
    started = time.perf_counter()
    run = await executions.execute_workflow(member, wf, payload={"w": "ab"})
    await executions.wait_for_finish(run["id"], 30)
    elapsed = time.perf_counter() - started
    step = executions.get_execution(member, run["id"])["steps"][0]
    assert step["status"] == "failed"
    assert "limited" in step["error"] or "timed out after 10 s" in step["error"], step["error"]
    assert elapsed < 12, elapsed
