"""Real SMTP servers (aiosmtpd) on loopback, with or without TLS and a login, for the tests
of SMTP connections and of email alerts; and the self-signed certificate they present."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Cert:
    pem: str
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def self_signed_cert(folder: Path, common_name: str) -> Cert:
    """A certificate for 127.0.0.1 and localhost, its own CA, written into `folder`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
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
    """What one server received: the messages and the user names that logged in."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
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
        ok = data.login.decode() == self.user and data.password.decode() == self.password
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServers:
    """Starts servers for one test and stops them all at its end."""

    def __init__(self, cert: Cert, user: str, password: str) -> None:
        self.cert, self.user, self.password = cert, user, password
        self._controllers: list[Controller] = []

    def start(
        self, *, tls: str = "none", login: bool = False, login_required: bool = False
    ) -> MailServer:
        """`tls`: none, starttls or ssl. With `login`, the server checks user and password."""
        mail = MailServer("127.0.0.1", free_port(), self.user, self.password)
        kwargs: dict[str, Any] = {}
        if login:
            # aiosmtpd does not see implicit TLS as TLS: only STARTTLS can require it.
            kwargs.update(
                authenticator=mail.authenticate,
                auth_required=login_required,
                auth_require_tls=tls == "starttls",
            )
        if tls == "starttls":
            kwargs["tls_context"] = self.cert.server_context()
        controller = Controller(
            mail,
            hostname=mail.host,
            port=mail.port,
            ssl_context=self.cert.server_context() if tls == "ssl" else None,
            **kwargs,
        )
        controller.start()
        self._controllers.append(controller)
        return mail

    def stop_all(self) -> None:
        for controller in self._controllers:
            controller.stop()
