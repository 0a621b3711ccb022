"""Fixtures for connections: platform stand-ins, real SMTP servers (aiosmtpd) with and
without TLS and AUTH, a self-signed certificate, and switching settings for one test."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.db.settings import get_settings
from tests.integration.integrations.fakes import (
    SMTP_PASSWORD,
    SMTP_USER,
    Cert,
    Platforms,
    serve_platforms,
)


@pytest.fixture
def platforms() -> Iterator[Platforms]:
    with serve_platforms() as state:
        yield state


@pytest.fixture
def settings_env() -> Iterator[Callable[..., None]]:
    """Change FLOWDECK_* variables for one test; restored (and settings reloaded) after it."""
    saved: dict[str, str | None] = {}

    def set_env(**values: str) -> None:
        for name, value in values.items():
            saved.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        get_settings.cache_clear()

    yield set_env
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    """A self-signed certificate for 127.0.0.1 and localhost, made with `cryptography`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Flowdeck test SMTP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
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
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(self_signed: Cert) -> Iterator[Callable[..., MailServer]]:
    """Start a real SMTP server: `smtp_server(tls="none"|"starttls"|"ssl", auth=bool)`."""
    controllers: list[Controller] = []

    def start(*, tls: str = "none", auth: bool = False) -> MailServer:
        mail = MailServer("127.0.0.1", _free_port())
        kwargs: dict[str, object] = {}
        if auth:
            # aiosmtpd does not see implicit TLS as TLS: only STARTTLS can require it.
            kwargs.update(authenticator=mail.authenticate, auth_require_tls=tls == "starttls")
        if tls == "starttls":
            kwargs["tls_context"] = self_signed.server_context()
        controller = Controller(
            mail,
            hostname=mail.host,
            port=mail.port,
            ssl_context=self_signed.server_context() if tls == "ssl" else None,
            **kwargs,
        )
        controller.start()
        controllers.append(controller)
        return mail

    yield start
    for controller in controllers:
        controller.stop()
