"""Trigger fixtures: the schedule clock and the event listeners on the engine's loop, and a
client of the real mounted API (webhooks need no API key)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from app.api import create_api
from app.engine.runner import Engine
from app.engine.scheduler import ScheduleClock
from app.engine.triggers.events import EventTriggers


async def eventually(condition: Callable[[], bool], *, within: float, step: float = 0.02) -> None:
    """Return once `condition()` holds (it usually polls the database); fail after `within` s."""
    for _ in range(max(1, round(within / step))):
        if condition():
            return
        await asyncio.sleep(step)
    assert condition(), f"still not true after {within} s"


@pytest.fixture
async def start_clock(engine: Engine) -> AsyncIterator[Callable[[], ScheduleClock]]:
    """Start a clock when the test says so (after it arranged the database); stopped after."""
    clocks: list[ScheduleClock] = []

    def start() -> ScheduleClock:
        clock = ScheduleClock()
        clock.start()
        clocks.append(clock)
        return clock

    yield start
    for clock in clocks:
        await clock.stop()


@pytest.fixture
async def clock(start_clock: Callable[[], ScheduleClock]) -> ScheduleClock:
    return start_clock()


@pytest.fixture
async def listeners(engine: Engine) -> AsyncIterator[EventTriggers]:
    triggers = EventTriggers()
    triggers.start()
    yield triggers
    triggers.stop()


@pytest.fixture
async def client(engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
