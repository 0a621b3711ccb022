"""SMTP verification against real aiosmtpd servers: plain, AUTH, STARTTLS and implicit TLS
with a self-signed certificate that the connection trusts through `config.ca_pem`."""

from __future__ import annotations

import json
import socket

import pytest

from app.services import connections
from app.services.actor import Actor
from tests.integration.integrations.fakes import SMTP_PASSWORD, SMTP_USER
from tests.integration.smtp_servers import Cert


def _smtp(member: Actor, port: int, *, security: str, login: bool, **config) -> int:
    body: dict = {
        "name": f"mail-{security}-{login}",
        "platform": "smtp",
        "connectionType": "smtp",
        "config": {
            "host": "127.0.0.1",
            "port": port,
            "security": security,
            "fromAddress": "flowdeck@example.com",
            "timeout_s": 5,
            **config,
        },
    }
    if login:
        body["credentials"] = {"username": SMTP_USER, "password": SMTP_PASSWORD}
    return connections.create_connection(member, body)["id"]


async def test_plain_without_login(member: Actor, smtp_server) -> None:
    server = smtp_server(tls="none")
    result = await connections.verify_connection(
        member, _smtp(member, server.port, security="none", login=False)
    )
    assert result["status"] == "verified"
    assert result["verification"]["message"] == f"127.0.0.1:{server.port} answered (no TLS)"


async def test_plain_with_auth(member: Actor, smtp_server) -> None:
    server = smtp_server(tls="none", auth=True)
    cid = _smtp(member, server.port, security="none", login=True)
    result = await connections.verify_connection(member, cid)
    assert result["status"] == "verified", result["verify_error"]
    assert "logged in (over an unencrypted connection)" in result["verification"]["message"]
    assert server.logins == [SMTP_USER]


async def test_wrong_password_is_refused(member: Actor, smtp_server) -> None:
    server = smtp_server(tls="none", auth=True)
    cid = _smtp(member, server.port, security="none", login=True)
    connections.update_connection(member, cid, {"credentials": {"password": "wrong-password-x"}})
    result = await connections.verify_connection(member, cid)
    assert result["status"] == "failed"
    assert result["verify_error"].startswith("login refused: 535")
    assert "wrong-password-x" not in json.dumps(result)


async def test_starttls_with_a_trusted_self_signed_certificate(
    member: Actor, smtp_server, self_signed: Cert
) -> None:
    server = smtp_server(tls="starttls", auth=True)
    cid = _smtp(member, server.port, security="starttls", login=True, ca_pem=self_signed.pem)
    result = await connections.verify_connection(member, cid)
    assert result["status"] == "verified", result["verify_error"]
    assert "(STARTTLS, logged in)" in result["verification"]["message"]
    assert server.logins == [SMTP_USER]


async def test_starttls_with_an_untrusted_certificate_fails(member: Actor, smtp_server) -> None:
    server = smtp_server(tls="starttls", auth=True)
    cid = _smtp(member, server.port, security="starttls", login=True)
    result = await connections.verify_connection(member, cid)
    assert result["status"] == "failed"
    assert "TLS certificate of 127.0.0.1 not trusted" in result["verify_error"]
    assert server.logins == []  # the password was never sent


async def test_starttls_required_but_not_offered(member: Actor, smtp_server) -> None:
    server = smtp_server(tls="none")
    cid = _smtp(member, server.port, security="starttls", login=False)
    result = await connections.verify_connection(member, cid)
    assert result["verify_error"] == "the server does not offer STARTTLS"


async def test_implicit_tls(member: Actor, smtp_server, self_signed: Cert) -> None:
    server = smtp_server(tls="ssl", auth=True)
    cid = _smtp(member, server.port, security="ssl", login=True, ca_pem=self_signed.pem)
    result = await connections.verify_connection(member, cid)
    assert result["status"] == "verified", result["verify_error"]
    assert "(SSL, logged in)" in result["verification"]["message"]


async def test_nothing_listening(member: Actor) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cid = _smtp(member, port, security="none", login=False)
    result = await connections.verify_connection(member, cid)
    assert result["status"] == "failed" and "cannot connect" in result["verify_error"]


@pytest.mark.parametrize("host", ["169.254.169.254", "10.1.2.3"])
async def test_smtp_goes_through_the_address_guard(member: Actor, host: str) -> None:
    cid = connections.create_connection(
        member,
        {
            "name": "mail",
            "platform": "smtp",
            "config": {"host": host, "port": 25, "security": "none", "from_address": "a@b.c"},
        },
    )["id"]
    result = await connections.verify_connection(member, cid)
    assert result["status"] == "failed" and f"{host} blocked" in result["verify_error"]
