"""Fixtures for the content actions: the loopback stand-ins and the event triggers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from app.engine.runner import Engine
from app.engine.triggers.events import EventTriggers
from tests.integration.actions.stand_ins import (
    GitRemote,
    Site,
    serve_git,
    serve_site,
)
from tests.integration.alerts.counterparts import (
    Counterparts,
    serve_counterparts,
)


@pytest.fixture
def counterparts() -> Iterator[Counterparts]:
    """Slack incoming webhooks and Telegram's Bot API, as the alerts suite serves them."""
    with serve_counterparts() as state:
        yield state


@pytest.fixture
def site() -> Iterator[Site]:
    with serve_site() as state:
        yield state


@pytest.fixture
def git_remote(tmp_path: Path) -> Iterator[GitRemote]:
    with serve_git(tmp_path / "remote") as remote:
        yield remote


@pytest.fixture
async def listeners(engine: Engine) -> AsyncIterator[EventTriggers]:
    """`event` and `publish` triggers listening on the bus, as at start-up."""
    triggers = EventTriggers()
    triggers.start()
    yield triggers
    triggers.stop()
