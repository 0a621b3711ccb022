"""Blocking work off the loop: renders stop when their time is up, writes keep their order."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from app.core.sandbox import RenderBudget
from app.core.templates import render_value
from app.engine import offload

ENDLESS = {
    f"v{i}": "{% for i in range(1000) %}{{ i|string|upper }}{% endfor %}" for i in range(999)
}


async def test_a_render_past_its_time_raises_and_its_thread_stops() -> None:
    budget = RenderBudget(
        loop_iterations=10**9,
        output_chars=10**9,
        deadline=time.monotonic() + 60,  # only the timeout below stops it
        clock=time.monotonic,
    )
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        await offload.render(lambda: render_value(ENDLESS, {}, budget), budget, 0.2)
    assert time.perf_counter() - started < 1.0
    assert budget.cancelled
    await asyncio.sleep(0.05)
    spent = budget.loops_left
    await asyncio.sleep(0.2)
    assert budget.loops_left == spent  # the thread no longer renders


async def test_the_loop_answers_while_a_render_runs() -> None:
    budget = RenderBudget(
        loop_iterations=10**9,
        output_chars=10**9,
        deadline=time.monotonic() + 0.6,
        clock=time.monotonic,
    )
    render = asyncio.create_task(
        offload.render(lambda: render_value(ENDLESS, {}, budget), budget, 5)
    )
    lags = []
    while not render.done():
        tick = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append(time.perf_counter() - tick - 0.005)
    with pytest.raises(Exception, match="timeout"):
        render.result()  # the thread stopped itself at the budget's deadline
    assert len(lags) > 20 and sorted(lags)[len(lags) // 2] < 0.02, lags


async def test_writes_run_in_order_and_a_cancelled_waiter_does_not_drop_its_write() -> None:
    done: list[int] = []
    gate = threading.Event()

    def write(n: int) -> int:
        if n == 0:
            gate.wait(2)
        done.append(n)
        return n

    first = asyncio.create_task(offload.db(write, 0))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(offload.db(write, 1))
    await asyncio.sleep(0.01)
    second.cancel()  # its waiter goes, the write stays queued behind the first
    offload.submit_db_logged(write, 2)
    gate.set()
    assert await first == 0
    with pytest.raises(asyncio.CancelledError):
        await second
    assert await offload.db(write, 3) == 3
    assert done == [0, 1, 2, 3]
