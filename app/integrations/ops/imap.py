"""IMAP mailboxes (`aioimaplib`, asyncio): the connection the `email` trigger watches.

The connection holds the host, port, user and how TLS is used: `implicit` (TLS from the first
byte, port 993), `starttls` (plain port 143, upgraded with STARTTLS before logging in; refused
if the server does not offer it) or `none`; optionally a PEM of a CA to trust (a private or
self-signed server). The password is encrypted at rest. The host passes the outbound address
guard and the socket is pinned to the checked address while TLS verifies the certificate
against the host name. The check connects, secures, logs in, lists the server's capabilities
and logs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from asyncio import FIRST_COMPLETED
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal, TypeVar

import aioimaplib
import httpx
from pydantic import Field, field_validator, model_validator

from app.core.email_messages import capabilities_from
from app.core.errors import IntegrationError
from app.integrations.credentials import ResolvedConnection
from app.integrations.delivery import VerifyResult
from app.integrations.guard import resolve_checked_sync
from app.integrations.platform_fields import PlatformSpec, _Fields

LABEL = "IMAP mailbox"
T = TypeVar("T")
DEFAULT_PORTS = {"implicit": 993, "starttls": 143, "none": 143}


class ImapProblem(IntegrationError):
    """The IMAP server refused something or cannot be reached (the message says what)."""

    code = "imap_failed"
    status = 502


class ImapSecrets(_Fields):
    """The mailbox password (or app password)."""

    password: str = Field(min_length=1, max_length=1000, title="Password")


def _ca_context(ca_pem: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_pem:
        try:
            context.load_verify_locations(cadata=ca_pem)
        except (ssl.SSLError, ValueError):
            raise ValueError("not a valid PEM certificate") from None
    return context


class ImapConfig(_Fields):
    """The server, how TLS is used, the user, an extra CA to trust, the timeout."""

    host: str = Field(min_length=1, max_length=255)
    port: int | None = Field(None, ge=1, le=65535, description="empty: 993 (implicit) or 143")
    tls: Literal["implicit", "starttls", "none"] = Field(
        "implicit", title="TLS", description="implicit: port 993; starttls: upgrade on 143"
    )
    username: str = Field(min_length=1, max_length=200, pattern=r'^[^\s"\\]+$')
    ca_pem: str | None = Field(
        None,
        max_length=20_000,
        title="CA (PEM)",
        description="a CA or self-signed certificate to trust",
    )
    timeout_s: float = Field(15.0, gt=0, le=120)

    @field_validator("ca_pem")
    @classmethod
    def _pem(cls, value: str | None) -> str | None:
        if value:
            _ca_context(value)
        return value or None

    @model_validator(mode="after")
    def _default_port(self) -> ImapConfig:
        if self.port is None:
            self.port = DEFAULT_PORTS[self.tls]
        return self


SPEC = PlatformSpec(("imap",), {"imap": ImapSecrets}, ImapConfig, {"imap": "password"})


class _PinnedImap(aioimaplib.IMAP4):
    """`aioimaplib.IMAP4` connected to a checked address; the host name stays the TLS name.
    `lost` is set when the server closes the connection (a watcher in IDLE learns it at once)."""

    def __init__(self, address: str, host: str, port: int, *, timeout: float,
                 ssl_context: ssl.SSLContext | None) -> None:  # fmt: skip
        self.pinned_address = address
        self.lost = asyncio.Event()
        super().__init__(host=host, port=port, timeout=timeout, ssl_context=ssl_context,
                         conn_lost_cb=lambda _exc: self.lost.set())  # fmt: skip

    def create_client(
        self,
        host: str,
        port: int,
        loop: asyncio.AbstractEventLoop | None,
        conn_lost_cb: Callable[[Exception | None], None] | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        local_loop = loop or asyncio.get_running_loop()
        self.protocol = aioimaplib.IMAP4ClientProtocol(local_loop, conn_lost_cb)
        self.connecting = self._client_task = local_loop.create_task(
            local_loop.create_connection(
                lambda: self.protocol,
                self.pinned_address,
                port,
                ssl=ssl_context,
                server_hostname=host if ssl_context else None,
            )
        )


def expect_ok(response: Any, what: str) -> Any:
    if response.result != "OK":
        said = b" ".join(bytes(line) for line in response.lines[-1:]).decode("utf-8", "replace")
        raise ImapProblem(f"{what} refused: {response.result} {said[:300]}".strip())
    return response


async def _starttls(client: _PinnedImap, host: str, context: ssl.SSLContext) -> None:
    proto = client.protocol
    if "STARTTLS" not in proto.capabilities:
        raise ImapProblem("the server does not offer STARTTLS (choose tls: implicit or none)")
    command = aioimaplib.Command("STARTTLS", proto.new_tag(), loop=proto.loop)
    expect_ok(await asyncio.wait_for(proto.execute(command), client.timeout), "STARTTLS")
    loop = asyncio.get_running_loop()
    proto.transport = await asyncio.wait_for(
        loop.start_tls(proto.transport, proto, context, server_hostname=host), client.timeout
    )
    await asyncio.wait_for(proto.capability(), client.timeout)  # asked again once secured


async def open_client(conn: ResolvedConnection) -> tuple[_PinnedImap, frozenset[str]]:
    """A logged-in client of `conn` and the server's capabilities (after login)."""
    cfg = conn.config
    host, tls = str(cfg["host"]), str(cfg.get("tls") or "implicit")
    port = int(cfg.get("port") or DEFAULT_PORTS[tls])
    timeout = float(cfg.get("timeout_s") or 15)
    context = None  # reading the system's CA store is disk IO: off the loop
    if tls != "none":
        context = await asyncio.to_thread(_ca_context, cfg.get("ca_pem"))
    address = (await asyncio.to_thread(resolve_checked_sync, host, port))[0]
    client = _PinnedImap(address, host, port, timeout=timeout,
                         ssl_context=context if tls == "implicit" else None)  # fmt: skip
    try:
        await client.wait_hello_from_server()
        if tls == "starttls" and context is not None:
            await _starttls(client, host, context)
        response = expect_ok(await client.login(str(cfg["username"]), conn.credentials["password"]),
                       "login")  # fmt: skip
        capabilities = capabilities_from(response.lines)
        if not capabilities:
            await asyncio.wait_for(client.protocol.capability(), timeout)
            capabilities = frozenset(c.upper() for c in client.protocol.capabilities)
        return client, capabilities
    except BaseException:
        close(client)
        raise


async def unless_lost(client: _PinnedImap, work: Awaitable[T], within_s: float) -> T:
    """`work`'s result; `ImapProblem` as soon as the server closes the connection, and
    `TimeoutError` after `within_s` (aioimaplib's commands wait on a dropped connection)."""
    task = asyncio.ensure_future(work)
    lost = asyncio.ensure_future(client.lost.wait())
    try:
        done, _ = await asyncio.wait({task, lost}, timeout=within_s, return_when=FIRST_COMPLETED)
    finally:
        lost.cancel()
    if task in done:
        return task.result()
    task.cancel()
    if client.lost.is_set():
        raise ImapProblem("the server closed the connection")
    raise TimeoutError


def close(client: aioimaplib.IMAP4) -> None:
    """Drop the connection at once (no LOGOUT round trip)."""
    transport = getattr(client.protocol, "transport", None)
    if transport is not None:
        transport.close()
    if isinstance(client, _PinnedImap):
        client.connecting.cancel()  # still connecting: stop that


@contextlib.asynccontextmanager
async def session(conn: ResolvedConnection) -> AsyncIterator[tuple[_PinnedImap, frozenset[str]]]:
    client, capabilities = await open_client(conn)
    try:
        yield client, capabilities
    finally:
        if not client.lost.is_set():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.logout(), 2)
        close(client)


def describe_error(exc: BaseException, conn: ResolvedConnection) -> str:
    where = f"{conn.config.get('host')}:{conn.config.get('port')}"
    if isinstance(exc, IntegrationError):
        return exc.message
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate of {where} not trusted: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed with {where}: {exc.reason or exc}"
    if isinstance(exc, TimeoutError | aioimaplib.CommandTimeout):
        return f"{where} did not answer in time"
    if isinstance(exc, aioimaplib.AioImapException):
        return f"IMAP error with {where}: {exc}"
    if isinstance(exc, OSError):
        return f"cannot connect to {where}: {exc.strerror or exc}"
    return f"IMAP failed with {where}: {exc.__class__.__name__}: {exc}"


async def verify(conn: ResolvedConnection, _client: httpx.AsyncClient) -> VerifyResult:
    try:
        async with session(conn) as (_imap, capabilities):
            idle = "IDLE" in capabilities
    except Exception as exc:
        return VerifyResult(False, describe_error(exc, conn))
    how = "IDLE" if idle else "polling (no IDLE)"
    user, host = conn.config["username"], conn.config["host"]
    return VerifyResult(True, f"logged in as {user} on {host}; new mail is noticed by {how}")
