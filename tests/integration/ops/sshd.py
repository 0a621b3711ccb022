"""A real OpenSSH server for the SSH steps' tests: Debian's `sshd` started on a free loopback
port with its own host key, config and authorized key in a temporary directory.

It runs as the user running the tests and lets that user in with the test's client key. For a
password login (sshd checks passwords against the system's accounts) `password_account` makes
a throwaway account with `useradd` (root only, as CI runs) and removes it after. Sessions get
`PATH` with the test's own `bin/` first (`SetEnv`), so a fake `systemctl` there records what it
was asked.
`sshd` must be installed (`make test` installs Debian's openssh-server when run as root).
"""

from __future__ import annotations

import getpass
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest

SSHD = Path("/usr/sbin/sshd")


@dataclass(frozen=True)
class SshServer:
    port: int
    user: str
    host_key: str  # the server's public key, as a connection pins it
    client_key: str  # the private key the connection logs in with (OpenSSH format)
    bin_dir: Path
    password_user: str = ""  # an account that logs in with `password`, if one was asked for
    password: str = ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sshd exited: {log.read_text()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"sshd did not listen on {port}: {log.read_text()[-2000:]}")


@contextmanager
def password_account() -> Iterator[tuple[str, str]]:
    """(name, password) of a new system account without a home, deleted afterwards."""
    if os.geteuid() != 0:
        pytest.fail("a password login needs a system account: run the tests as root (CI does)")
    name, password = f"fdssh{secrets.token_hex(4)}", secrets.token_urlsafe(18)
    subprocess.run(  # noqa: S603 (fixed binaries, no shell)
        ["/usr/sbin/useradd", "--no-create-home", "--home-dir", "/", "--shell", "/bin/sh", name],
        check=True,
    )
    try:
        subprocess.run(  # noqa: S603
            ["/usr/sbin/chpasswd"], input=f"{name}:{password}\n", text=True, check=True
        )
        yield name, password
    finally:
        subprocess.run(["/usr/sbin/userdel", name], check=False)  # noqa: S603


@contextmanager
def running_sshd(root: Path, *, with_password: bool = False) -> Iterator[SshServer]:
    if with_password:
        with password_account() as (name, password), _sshd(root, name) as server:
            yield SshServer(**{**server.__dict__, "password_user": name, "password": password})
        return
    with _sshd(root, "") as server:
        yield server


@contextmanager
def _sshd(root: Path, password_user: str) -> Iterator[SshServer]:
    if not SSHD.exists():
        pytest.fail("sshd is missing: run 'make test' as root (it installs openssh-server)")
    root.mkdir(parents=True, exist_ok=True)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # its privilege separation directory
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    (root / "host_key").write_bytes(host_key.export_private_key())
    (root / "host_key").chmod(0o600)
    client = asyncssh.generate_private_key("ssh-ed25519")
    (root / "authorized_keys").write_bytes(client.export_public_key())
    bin_dir = root / "bin"
    bin_dir.mkdir()
    port, user = _free_port(), getpass.getuser()
    config = root / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {root / 'host_key'}",
                f"AuthorizedKeysFile {root / 'authorized_keys'}",
                f"PidFile {root / 'sshd.pid'}",
                f"PasswordAuthentication {'yes' if password_user else 'no'}",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                f"AllowUsers {user} {password_user}".strip(),
                "PermitRootLogin prohibit-password",
                f"SetEnv PATH={bin_dir}:/usr/local/bin:/usr/bin:/bin",
                "LogLevel VERBOSE",
                "",
            ]
        )  # fmt: skip
    )
    log = root / "sshd.log"
    proc = subprocess.Popen(  # noqa: S603 (a fixed binary, no shell)
        [str(SSHD), "-D", "-e", "-f", str(config)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env={"PATH": os.environ.get("PATH", "")},
    )
    try:
        _wait_listening(port, proc, log)
        yield SshServer(
            port=port,
            user=user,
            host_key=host_key.export_public_key().decode().strip(),
            client_key=client.export_private_key().decode(),
            bin_dir=bin_dir,
        )
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
