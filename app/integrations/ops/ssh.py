"""SSH hosts: one command per connection, the host key pinned (`asyncssh`).

The connection holds the host, port, user and the host's public key (`host_key`, as in
`known_hosts` or `ssh-keyscan`: `ssh-ed25519 AAAA…`); only a server showing that key is
talked to. It authenticates with a private key (OpenSSH or PEM, optionally with a passphrase)
or a password, both encrypted at rest. The host passes the outbound address guard like every
other destination. A command's stdout and stderr are read as they come, each kept up to a
byte cap (the rest is drained, not stored), with a deadline after which the channel is closed.
The check connects, authenticates and disconnects, running nothing.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import asyncssh
import httpx
from pydantic import Field, field_validator, model_validator

from app.integrations.credentials import ResolvedConnection
from app.integrations.delivery import VerifyResult
from app.integrations.guard import resolve_checked_sync
from app.integrations.platform_fields import PlatformSpec, _Fields

LABEL = "SSH"
CHUNK = 16_384


class SshSecrets(_Fields):
    """A private key (with its passphrase if it has one) or a password."""

    private_key: str | None = Field(
        None, max_length=20_000, title="Private key", description="OpenSSH or PEM"
    )
    passphrase: str | None = Field(None, max_length=1000, title="Key passphrase")
    password: str | None = Field(None, max_length=1000, title="Password")

    @field_validator("private_key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        if value:
            try:
                asyncssh.import_private_key(value.strip() + "\n", None)
            except asyncssh.KeyImportError as exc:
                if "passphrase" not in str(exc).lower():
                    raise ValueError(f"not a private key: {exc}") from None
        return value

    @model_validator(mode="after")
    def _one_way_in(self) -> SshSecrets:
        if not self.private_key and not self.password:
            raise ValueError("give a private key or a password")
        return self


class SshConfig(_Fields):
    """The host, its pinned key, the user, the connect timeout."""

    host: str = Field(min_length=1, max_length=255)
    port: int = Field(22, ge=1, le=65535)
    username: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    host_key: str = Field(min_length=1, max_length=5000, title="Host key",
                          description="the server's public key: ssh-ed25519 AAAA… "
                                      "(ssh-keyscan -p PORT HOST)")  # fmt: skip
    connect_timeout_s: float = Field(10, gt=0, le=120)

    @field_validator("host_key")
    @classmethod
    def _public_key(cls, value: str) -> str:
        key = _host_key_text(value)
        try:
            asyncssh.import_public_key(key)
        except (asyncssh.KeyImportError, ValueError) as exc:
            raise ValueError(f"not a public key: {exc}") from None
        return key


SPEC = PlatformSpec(("ssh",), {"ssh": SshSecrets}, SshConfig, {"ssh": "private_key"})


def _host_key_text(value: str) -> str:
    """`ssh-ed25519 AAAA…` from a key, a `known_hosts` line or an `ssh-keyscan` line."""
    parts = value.strip().split()
    for n, part in enumerate(parts):
        if part.startswith(("ssh-", "ecdsa-", "sk-")) and n + 1 < len(parts):
            return f"{part} {parts[n + 1]}"
    return value.strip()


@dataclass(frozen=True)
class CommandResult:
    exit_status: int | None
    stdout: str
    stderr: str
    truncated: bool
    timed_out: bool
    duration_ms: float

    def as_dict(self) -> dict[str, Any]:
        return {"exit_status": self.exit_status, "stdout": self.stdout, "stderr": self.stderr,
                "truncated": self.truncated, "timed_out": self.timed_out,
                "duration_ms": self.duration_ms}  # fmt: skip


async def _connect(conn: ResolvedConnection) -> asyncssh.SSHClientConnection:
    host, port = conn.config["host"], int(conn.config.get("port") or 22)
    address = (await asyncio.to_thread(resolve_checked_sync, host, port))[0]
    creds = conn.credentials
    keys = None
    if creds.get("private_key"):
        keys = [asyncssh.import_private_key(creds["private_key"].strip() + "\n",
                                            creds.get("passphrase") or None)]  # fmt: skip
    pinned = asyncssh.import_public_key(conn.config["host_key"])
    return await asyncssh.connect(
        address,
        port,
        username=conn.config["username"],
        client_keys=keys,
        password=creds.get("password") or None,
        known_hosts=([pinned], [], []),
        agent_path=None,
        config=None,
        connect_timeout=float(conn.config.get("connect_timeout_s") or 10),
        login_timeout=float(conn.config.get("connect_timeout_s") or 10),
    )


async def _drain(stream: asyncssh.SSHReader, cap: int, kept: list[bytes]) -> bool:
    """Read `stream` to its end, keeping at most `cap` bytes; True if some were dropped."""
    size, dropped = 0, False
    while chunk := await stream.read(CHUNK):
        data = chunk if isinstance(chunk, bytes) else chunk.encode()
        if size < cap:
            kept.append(data[: cap - size])
        dropped = dropped or size + len(data) > cap
        size += len(data)
    return dropped


async def run_command(
    conn: ResolvedConnection, command: str, *, timeout_s: float, max_output: int
) -> CommandResult:
    """Run `command` on the host; its exit status and capped output. Connection and
    authentication problems raise `asyncssh.Error` / `OSError`."""
    started = time.perf_counter()
    out: list[bytes] = []
    err: list[bytes] = []
    async with await _connect(conn) as client:
        process = await client.create_process(command, encoding=None)
        process.stdin.write_eof()
        reading = asyncio.gather(
            _drain(process.stdout, max_output, out), _drain(process.stderr, max_output, err)
        )
        try:
            cut = await asyncio.wait_for(reading, timeout_s)
            await asyncio.wait_for(process.wait_closed(), 5)
            timed_out = False
        except TimeoutError:
            process.close()
            cut, timed_out = (True, True), True
    return CommandResult(
        exit_status=None if timed_out else process.exit_status,
        stdout=b"".join(out).decode(errors="replace"),
        stderr=b"".join(err).decode(errors="replace"),
        truncated=any(cut) and not timed_out,
        timed_out=timed_out,
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
    )


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, asyncssh.HostKeyNotVerifiable):
        return "the host's key is not the pinned one (host_key): refused"
    if isinstance(exc, asyncssh.PermissionDenied):
        return "authentication refused (key or password)"
    if isinstance(exc, asyncssh.Error):
        return f"SSH failed: {exc.reason}"
    if isinstance(exc, TimeoutError):
        return "no answer in time (connect timeout)"
    return f"could not connect: {exc.__class__.__name__}: {exc}"


async def verify(conn: ResolvedConnection, _client: httpx.AsyncClient) -> VerifyResult:
    try:
        async with await _connect(conn) as client:
            version = client.get_extra_info("server_version") or "?"
    except (asyncssh.Error, OSError, TimeoutError) as exc:
        return VerifyResult(False, describe_error(exc))
    user, host = conn.config["username"], conn.config["host"]
    return VerifyResult(True, f"logged in as {user}@{host} ({version}), host key matches")
