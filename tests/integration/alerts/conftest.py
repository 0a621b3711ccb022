"""Fixtures for alerts: the loopback counterparts, a real SMTP server (aiosmtpd), the
dispatcher on the real bus with a clock and a sleep the test controls, and workflows that
fail through the real engine."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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


@dataclass
class MailServer:
    host: str
    port: int
    messages: list[Envelope] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        self.messages.append(envelope)
        return "250 OK"

    def authenticate(
        self, server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        self.logins.append(data.login.decode())
        ok = data.login.decode() == SMTP_USER and data.password.decode() == SMTP_PASSWORD
        return AuthResult(success=ok)


@dataclass
class Cert:
    pem: str
    cert_file: Path
    key_file: Path


@pytest.fixture(scope="session")
def alerts_cert(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    """A self-signed certificate for 127.0.0.1, so STARTTLS is verified for real."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Flowdeck alerts test SMTP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("alerts-tls")
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    (folder / "cert.pem").write_text(pem)
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Cert(pem, folder / "cert.pem", folder / "key.pem")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server(alerts_cert: Cert) -> Iterator[Callable[..., MailServer]]:
    """`mail_server(tls="none"|"starttls")`: a real SMTP server that requires a login."""
    controllers: list[Controller] = []

    def start(*, tls: str = "none") -> MailServer:
        mail = MailServer("127.0.0.1", _free_port())
        kwargs: dict[str, Any] = {"authenticator": mail.authenticate, "auth_required": True,
                                  "auth_require_tls": tls != "none"}  # fmt: skip
        if tls == "starttls":
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(alerts_cert.cert_file, alerts_cert.key_file)
            kwargs["tls_context"] = context
        controller = Controller(mail, hostname=mail.host, port=mail.port, **kwargs)
        controller.start()
        controllers.append(controller)
        return mail

    yield start
    for controller in controllers:
        controller.stop()
