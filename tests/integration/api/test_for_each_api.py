"""A `for_each` step's items over REST: bounded in the execution detail, paged on their own
route, with the real engine and a real SQLite file."""

from __future__ import annotations

import httpx

from app.engine.runner import Engine
from tests.integration.api.test_execution_api import BASE, TERMINAL, poll, workflow


def _loop(count: int) -> list[dict]:
    inner = {
        "type": "transform",
        "condition": "item % 100 != 7",  # items 7, 107, 207 are skipped
        "config": {"values": {"square": "{{ item * item }}"}},
    }
    config = {"items": "{{ trigger.numbers }}", "step": inner, "concurrency": 8}
    return [{"id": "loop", "type": "for_each", "config": config}]


async def _run(api: httpx.AsyncClient, count: int) -> dict:
    wf = await workflow(api, _loop(count))
    payload = {"payload": {"numbers": list(range(count))}}
    started = await api.post(f"{BASE}/workflows/{wf}/execute", json=payload)
    assert started.status_code == 202, started.text
    return await poll(api, started.json()["id"], TERMINAL)


async def test_the_detail_shows_counts_and_the_first_items(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    done = await _run(api, 250)
    assert done["status"] == "succeeded", done["error"]
    (step,) = done["steps"]
    items = step["items"]
    assert items["total"] == 250 and items["more"] is True
    assert items["counts"] == {"succeeded": 247, "skipped": 3}
    assert [item["index"] for item in items["items"]] == list(range(200))
    seventh = items["items"][7]
    assert (seventh["status"], seventh["attempts"], seventh["error"]) == ("skipped", 0, None)
    first = items["items"][1]
    assert first["status"] == "succeeded" and first["attempts"] == 1
    assert first["duration_ms"] >= 0 and first["started_at"]
    assert "output" not in first  # outputs only on the items route: the detail stays small
    assert step["output"][3] == {"square": 9} and step["output"][7] is None


async def test_items_are_paged_and_filtered_with_their_outputs(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    done = await _run(api, 250)
    route = f"{BASE}/executions/{done['id']}/steps/loop/items"
    page = (await api.get(route, params={"offset": 240, "limit": 5})).json()
    assert page["total"] == 250 and (page["offset"], page["limit"]) == (240, 5)
    assert [(i["index"], i["output"]) for i in page["items"]] == [
        (n, {"square": n * n}) for n in range(240, 245)
    ]
    skipped = (await api.get(route, params={"status": "skipped"})).json()
    assert [i["index"] for i in skipped["items"]] == [7, 107, 207] and skipped["total"] == 3
    assert all(i["output"] is None for i in skipped["items"])

    other_step = await api.get(f"{BASE}/executions/{done['id']}/steps/nope/items")
    assert other_step.status_code == 404, other_step.text
    bad_status = await api.get(route, params={"status": "weird"})
    assert bad_status.status_code == 422, bad_status.text
    too_big = await api.get(route, params={"limit": 501})
    assert too_big.status_code == 422, too_big.text


async def test_steps_that_are_not_for_each_have_no_items(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    wf = await workflow(api, [{"id": "calc", "type": "transform", "config": {"values": {}}}])
    started = await api.post(f"{BASE}/workflows/{wf}/execute", json={})
    done = await poll(api, started.json()["id"], TERMINAL)
    assert done["steps"][0].get("items") is None
