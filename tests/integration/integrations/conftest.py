"""Fixtures for connections: platform stand-ins, real SMTP servers (aiosmtpd) with and
without TLS and AUTH, a self-signed certificate, and switching settings for one test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from app.db.settings import get_settings
from tests.integration.integrations.fakes import (
    SMTP_PASSWORD,
    SMTP_USER,
    Platforms,
    serve_platforms,
)
from tests.integration.smtp_servers import Cert, MailServer, SmtpServers, self_signed_cert


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
    return self_signed_cert(tmp_path_factory.mktemp("tls"), "Flowdeck test SMTP")


@pytest.fixture
def smtp_server(self_signed: Cert) -> Iterator[Callable[..., MailServer]]:
    """Start a real SMTP server: `smtp_server(tls="none"|"starttls"|"ssl", auth=bool)`."""
    servers = SmtpServers(self_signed, SMTP_USER, SMTP_PASSWORD)

    def start(*, tls: str = "none", auth: bool = False) -> MailServer:
        return servers.start(tls=tls, login=auth)

    yield start
    servers.stop_all()
