"""Fixtures of the built-in template runs: the real engine, REST clients (a member, and a
caller with no key), loopback counterparts (Slack/Telegram and a scripted API), gathered in one
`Run` context that each template's scenario uses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from app.api import create_api
from app.engine.runner import Engine
from app.services.actor import Actor
from tests.integration.alerts.counterparts import Counterparts, serve_counterparts
from tests.integration.templates.remote import Remote, serve_remote

# The scenarios assert outside test modules: show their comparisons as pytest does.
pytest.register_assert_rewrite(
    "tests.integration.templates.helpers", "tests.integration.templates.scenarios"
)

if TYPE_CHECKING:
    from tests.integration.templates.helpers import Run


@pytest.fixture
def counterparts() -> Iterator[Counterparts]:
    with serve_counterparts() as state:
        yield state


@pytest.fixture
def remote() -> Iterator[Remote]:
    with serve_remote() as state:
        yield state


@pytest.fixture
async def caller(engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    """A system calling Flowdeck with no API key: webhooks and resume URLs."""
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
def run(
    engine: Engine,
    member: Actor,
    api: httpx.AsyncClient,
    caller: httpx.AsyncClient,
    counterparts: Counterparts,
    remote: Remote,
    tmp_path: Path,
) -> Run:
    from tests.integration.templates.helpers import Run  # after the rewrite is registered

    return Run(engine, member, api, caller, counterparts, remote, tmp_path)
