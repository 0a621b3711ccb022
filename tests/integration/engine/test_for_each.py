"""`for_each` on the real engine, a real SQLite file and a real loopback HTTP server.

Concurrency is read from the server's own clock (when each request arrived and was answered),
never from sleeps in the test.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from app.db.engine import get_engine
from app.db.models import StepItem
from app.engine.bus import bus
from app.engine.runner import Engine
from app.services import executions, step_items, workflows
from app.services.actor import Actor

SI = StepItem.__table__  # type: ignore[attr-defined]


@dataclass
class Remote:
    """A loopback API: `/fail/<n>` answers 500, anything else 200 `{"path": …}`."""

    url: str
    delay_s: float = 0.0
    calls: list[tuple[str, float, float]] = field(default_factory=list)  # path, in, out
    received: int = 0
    wanted: int = 0  # `reached` is set when this many requests have arrived
    reached: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def max_in_flight(self) -> int:
        edges = [(t_in, 1) for _, t_in, _ in self.calls] + [(t_out, -1) for *_, t_out in self.calls]
        current = peak = 0
        for _, step in sorted(edges, key=lambda e: (e[0], e[1])):  # an end before a start
            current += step
            peak = max(peak, current)
        return peak


@pytest.fixture
def remote() -> Iterator[Remote]:
    state = Remote(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server contract
            received = time.monotonic()
            with state.lock:
                state.received += 1
                if state.wanted and state.received >= state.wanted:
                    state.reached.set()
            if state.delay_s:
                threading.Event().wait(state.delay_s)
            answered = time.monotonic()
            with state.lock:
                state.calls.append((self.path, received, answered))
            failing = self.path.startswith("/fail/")
            body = b'{"error": "boom"}' if failing else f'{{"path": "{self.path}"}}'.encode()
            self.send_response(500 if failing else 200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def _workflow(member: Actor, actions: list[dict]) -> int:
    data = {"name": "loop", "trigger": {"type": "manual"}, "actions": actions}
    return workflows.create_workflow(member, data).workflow["id"]


async def _run(member: Actor, engine: Engine, wf: int, payload: dict | None = None) -> dict:
    started = await executions.execute_workflow(member, wf, payload=payload)
    await engine.drain(limit_s=60)
    return executions.get_execution(member, started["id"])


def _step(result: dict, action_id: str = "loop") -> dict:
    return next(step for step in result["steps"] if step["action_id"] == action_id)


def _items(step_id: int) -> list[dict]:
    with get_engine().connect() as conn:
        rows = conn.execute(sa.select(SI).where(SI.c.step_id == step_id).order_by(SI.c.position))
        return [dict(row._mapping) for row in rows]


def _loop(items: object, step: dict, **config: object) -> dict:
    return {"id": "loop", "type": "for_each", "config": {"items": items, "step": step, **config}}


def _call(url: str, **extra: object) -> dict:
    return {"type": "api_call", "config": {"url": url}, **extra}


async def test_items_run_in_order_with_item_and_index(engine: Engine, member: Actor) -> None:
    values = {"n": "{{ item.n * 10 }}", "at": "{{ index }}"}
    inner = {"type": "transform", "config": {"values": values}}
    after = {
        "id": "after",
        "type": "transform",
        "config": {"values": {"all": "{{ steps.loop.output }}"}},
    }
    wf = _workflow(member, [_loop("{{ trigger.rows }}", inner), after])
    rows = [{"n": n} for n in (3, 1, 2)]
    result = await _run(member, engine, wf, {"rows": rows})
    assert result["status"] == "succeeded", result["error"]
    loop = _step(result)
    expected = [{"n": 30, "at": 0}, {"n": 10, "at": 1}, {"n": 20, "at": 2}]
    assert loop["output"] == expected
    assert _step(result, "after")["output"] == {"all": expected}  # the next step reads the list
    assert loop["input"]["step"] == inner  # the inner step is stored as written, not rendered
    items = _items(loop["id"])
    assert [(i["position"], i["status"], i["attempts"]) for i in items] == [
        (0, "succeeded", 1),
        (1, "succeeded", 1),
        (2, "succeeded", 1),
    ]
    assert items[1]["output"] == {"n": 10, "at": 1}
    assert all(i["started_at"] is not None and i["duration_ms"] >= 0 for i in items)


def _indexed_calls(remote: Remote, failing: set[int], **extra: object) -> dict:
    url = remote.url + "/{{ 'fail' if item in trigger.failing else 'ok' }}/{{ index }}"
    retry = {"strategy": "immediate", "max_attempts": 2}
    return _call(url, retry=retry, **extra)


async def test_a_failed_item_fails_the_step_after_every_item_ran(
    engine: Engine, member: Actor, remote: Remote
) -> None:
    wf = _workflow(member, [_loop(list(range(8)), _indexed_calls(remote, {3, 5}), concurrency=2)])
    result = await _run(member, engine, wf, {"failing": [5, 3]})
    assert result["status"] == "failed"
    loop = _step(result)
    assert loop["status"] == "failed"
    assert loop["error"].startswith("2 of 8 items failed: 3, 5 (item 3: ")
    assert "500" in loop["error"]
    # Every item ran, the failing ones twice (their retry policy), the others once.
    paths = sorted(path for path, *_ in remote.calls)
    assert paths.count("/fail/3") == 2 and paths.count("/fail/5") == 2
    assert [p for p in paths if p.startswith("/ok/")] == sorted(
        f"/ok/{n}" for n in (0, 1, 2, 4, 6, 7)
    )
    items = _items(loop["id"])
    assert [i["status"] for i in items] == [
        "failed" if n in (3, 5) else "succeeded" for n in range(8)
    ]
    assert (items[3]["attempts"], items[0]["attempts"]) == (2, 1)
    assert "500" in items[3]["error"] and items[0]["error"] is None
    assert items[3]["output"]["body"] == {"error": "boom"}  # the failed call's answer, kept
    # The partial output keeps the results in order, with null where an item failed.
    assert loop["output"][3] is None and loop["output"][4]["body"] == {"path": "/ok/4"}


async def test_continue_on_error_gives_null_for_failed_items_and_succeeds(
    engine: Engine, member: Actor, remote: Remote
) -> None:
    inner = _indexed_calls(remote, {1}, continue_on_error=True)
    wf = _workflow(member, [_loop(list(range(3)), inner)])
    result = await _run(member, engine, wf, {"failing": [1]})
    assert result["status"] == "succeeded", result["error"]
    output = _step(result)["output"]
    assert output[1] is None
    assert [output[0]["body"], output[2]["body"]] == [{"path": "/ok/0"}, {"path": "/ok/2"}]
    assert [i["status"] for i in _items(_step(result)["id"])] == [
        "succeeded",
        "failed",
        "succeeded",
    ]


async def test_concurrency_bounds_the_items_in_flight(
    engine: Engine, member: Actor, remote: Remote
) -> None:
    remote.delay_s = 0.15
    inner = _call(remote.url + "/ok/{{ index }}")
    wf = _workflow(member, [_loop(list(range(12)), inner, concurrency=3)])
    result = await _run(member, engine, wf)
    assert result["status"] == "succeeded", result["error"]
    assert len(remote.calls) == 12
    # Read from the server's clock: never more than 3 at once, and really several at once.
    assert 2 <= remote.max_in_flight() <= 3
    assert [o["body"]["path"] for o in _step(result)["output"]] == [f"/ok/{n}" for n in range(12)]


async def test_an_item_whose_config_cannot_render_fails_alone(
    engine: Engine, member: Actor
) -> None:
    inner = {"type": "transform", "config": {"values": {"v": "{{ item.name.upper() }}"}}}
    wf = _workflow(member, [_loop("{{ trigger.rows }}", inner)])
    result = await _run(member, engine, wf, {"rows": [{"name": "a"}, {}, {"name": "c"}]})
    loop = _step(result)
    assert loop["status"] == "failed"
    assert loop["error"].startswith("1 of 3 items failed: 1 (item 1: ")
    items = _items(loop["id"])
    assert [(i["status"], i["attempts"]) for i in items] == [
        ("succeeded", 1),
        ("failed", 0),
        ("succeeded", 1),
    ]


async def test_a_condition_skips_an_item_with_a_null_result(engine: Engine, member: Actor) -> None:
    inner = {
        "type": "transform",
        "condition": "item > 1",
        "config": {"values": {"v": "{{ item }}"}},
    }
    wf = _workflow(member, [_loop([1, 2, 3], inner)])
    result = await _run(member, engine, wf)
    assert result["status"] == "succeeded", result["error"]
    assert _step(result)["output"] == [None, {"v": 2}, {"v": 3}]
    assert [i["status"] for i in _items(_step(result)["id"])] == [
        "skipped",
        "succeeded",
        "succeeded",
    ]


async def test_ten_thousand_items_run_and_one_more_is_refused(
    engine: Engine, member: Actor
) -> None:
    inner = {"type": "transform", "config": {"values": {"ok": True}}}
    wf = _workflow(member, [_loop("{{ trigger.rows }}", inner, concurrency=64)])
    clock = time.perf_counter()
    result = await _run(member, engine, wf, {"rows": list(range(10_000))})
    elapsed = time.perf_counter() - clock
    assert result["status"] == "succeeded", result["error"]
    loop = _step(result)
    assert loop["items"]["total"] == 10_000 and loop["items"]["counts"] == {"succeeded": 10_000}
    assert len(loop["items"]["items"]) == step_items.FIRST_ITEMS and loop["items"]["more"]
    assert elapsed < 30, elapsed  # batched writes: seconds, not one transaction per item

    too_many = await _run(member, engine, wf, {"rows": list(range(10_001))})
    step = _step(too_many)
    assert step["status"] == "failed"
    assert "at most 10,000 items; this list has 10,001" in step["error"]
    assert step["attempts"] == [] and _items(step["id"]) == []


async def test_progress_is_published_as_batches_are_written(engine: Engine, member: Actor) -> None:
    inner = {"type": "transform", "config": {"values": {"ok": True}}}
    wf = _workflow(member, [_loop("{{ trigger.rows }}", inner, concurrency=8)])
    async with bus.listen() as queue:
        result = await _run(member, engine, wf, {"rows": list(range(1_200))})
        events = []
        while not queue.empty():
            event = queue.get_nowait()
            if event.name == "for_each.progress":
                events.append(event.data)
    assert result["status"] == "succeeded", result["error"]
    ended = [e["ended"] for e in events]
    assert len(ended) >= 3 and ended == sorted(ended) and ended[-1] == 1_200  # 500-item batches
    assert {(e["execution_id"], e["action_id"], e["total"]) for e in events} == {
        (result["id"], "loop", 1_200)
    }


async def test_cancelling_mid_loop_cancels_the_items_that_had_not_ended(
    engine: Engine, member: Actor, remote: Remote
) -> None:
    remote.delay_s = 0.4
    inner = _call(remote.url + "/ok/{{ index }}")
    wf = _workflow(member, [_loop(list(range(6)), inner, concurrency=2)])
    remote.wanted = 4  # items 2 and 3 only start once 0 and 1 ended: 0, 1 done, 2, 3 in flight
    started = await executions.execute_workflow(member, wf)
    assert await asyncio.to_thread(remote.reached.wait, 10)
    await executions.cancel_execution(member, started["id"])
    await engine.drain()
    result = executions.get_execution(member, started["id"])
    assert result["status"] == "cancelled"
    assert _step(result)["status"] == "cancelled"
    statuses = [i["status"] for i in _items(_step(result)["id"])]
    assert "pending" not in statuses
    assert statuses[:2] == ["succeeded", "succeeded"] and statuses[2:] == ["cancelled"] * 4


TOKEN = "env-tok-Z1x3C5v7B9n1M3q5"


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before the database fixture, which reloads the settings."""
    monkeypatch.setenv("FLOWDECK_ENV_SERVICE_TOKEN", TOKEN)


async def test_item_outputs_and_errors_are_masked_and_capped(
    secret_env: None, engine: Engine, member: Actor, remote: Remote
) -> None:
    values = {"v": "{{ env.SERVICE_TOKEN }}", "big": "{{ 'x' * (item * 40000) }}"}
    inner = {"type": "transform", "config": {"values": values}}
    failing = _call(remote.url + "/fail/{{ env.SERVICE_TOKEN }}")  # the error names the URL
    wf = _workflow(member, [_loop([0, 2], inner), {**_loop([0], failing), "id": "broken"}])
    result = await _run(member, engine, wf)
    loop = _step(result)
    assert loop["status"] == "succeeded", loop["error"]
    small, big = _items(loop["id"])
    assert small["output"]["big"] == "" and small["output"]["v"] != TOKEN
    assert small["output"]["v"] == "[redacted]"
    # 80,000 characters are over the 64 KiB an item keeps: stored as the marker, not the value.
    assert big["output"]["_truncated"] is True and big["output"]["original_bytes"] > 80_000
    broken = _step(result, "broken")
    assert broken["status"] == "failed" and TOKEN not in broken["error"]
    (item,) = _items(broken["id"])
    assert item["status"] == "failed" and "answered 500" in item["error"]
    assert TOKEN not in item["error"] and "/fail/" in item["error"]
