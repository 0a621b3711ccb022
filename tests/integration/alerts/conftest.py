"""Fixtures for alerts: the loopback counterparts, a real SMTP server (aiosmtpd), the
dispatcher on the real bus with a clock and a sleep the test controls, and workflows that
fail through the real engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.alerts.delivery import AlertDispatcher
from app.core.retry import RetryPolicy
from app.core.statuses import Role
from app.db.types import utcnow
from app.engine.bus import bus
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import SYSTEM, Actor
from app.services.users import create_user
from tests.integration.alerts.counterparts import Counterparts, serve_counterparts
from tests.integration.smtp_servers import Cert, MailServer, SmtpServers, self_signed_cert

SMTP_USER, SMTP_PASSWORD = "alerts@example.com", "smtp-Alerts-Pa55-k3y9"
FAST = RetryPolicy(strategy="exponential", max_attempts=3, delay_s=0.5, factor=2.0)


class Clock:
    """Wall time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@dataclass
class Sleeps:
    """Records the waits the dispatcher asks for instead of waiting."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def counterparts() -> Iterator[Counterparts]:
    with serve_counterparts() as state:
        yield state


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def dispatcher(db: Path, clock: Clock, sleeps: Sleeps) -> AsyncIterator[AlertDispatcher]:
    """The alert dispatcher on the real bus, as start-up runs it (fast retries, test clock)."""
    dispatch = AlertDispatcher(bus, policy=FAST, clock=clock, sleep=sleeps, max_concurrent=4)
    await dispatch.start()
    yield dispatch
    await dispatch.stop()


@pytest.fixture
def admin(db: Path) -> Actor:
    user = create_user(SYSTEM, email="admin@example.com", role="admin", password="admin-password")
    return Actor(kind="user", user_id=user.id, email=user.email, role=Role.ADMIN)


def failing_workflow(member: Actor, base_url: str, name: str = "Nightly import") -> int:
    """A workflow whose only step calls a remote API that answers 500."""
    actions = [
        {"id": "fetch", "name": "Fetch orders", "type": "api_call",
         "config": {"method": "GET", "url": f"{base_url}/api/fail"}}
    ]  # fmt: skip
    data = {"name": name, "trigger": {"type": "manual"}, "actions": actions}
    return workflows.create_workflow(member, data).workflow["id"]


def passing_workflow(member: Actor, name: str = "Tidy up") -> int:
    actions = [{"id": "noop", "type": "transform", "config": {"values": {"ok": True}}}]
    data = {"name": name, "trigger": {"type": "manual"}, "actions": actions}
    return workflows.create_workflow(member, data).workflow["id"]


async def run(
    member: Actor, engine: Engine, dispatch: AlertDispatcher, workflow_id: int, times: int = 1
) -> list[int]:
    """Run the workflow `times` times, wait for the runs and then for their alerts."""
    ids = [(await executions.execute_workflow(member, workflow_id))["id"] for _ in range(times)]
    await engine.drain()
    await dispatch.drain()
    return ids


# -- SMTP --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def alerts_cert(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    """A self-signed certificate for 127.0.0.1, so STARTTLS is verified for real."""
    return self_signed_cert(tmp_path_factory.mktemp("alerts-tls"), "Flowdeck alerts test SMTP")


@pytest.fixture
def mail_server(alerts_cert: Cert) -> Iterator[Callable[..., MailServer]]:
    """`mail_server(tls="none"|"starttls")`: a real SMTP server that requires a login."""
    servers = SmtpServers(alerts_cert, SMTP_USER, SMTP_PASSWORD)

    def start(*, tls: str = "none") -> MailServer:
        return servers.start(tls=tls, login=True, login_required=True)

    yield start
    servers.stop_all()
