"""A real IMAP server for the email trigger's tests: Debian's Dovecot started on a free loopback
port with its own config, users, maildirs and a self-signed TLS certificate in a temporary
directory, stopped after.

`idle=False` / `move=False` leave IDLE / MOVE out of its capabilities (an older server).
It offers STARTTLS on its port (plain IMAP with `tls: none` works too: `ssl = yes`,
`disable_plaintext_auth = no`), IDLE, MOVE and UIDPLUS. One user (`USER` / `PASSWORD`) from a
passwd-file; mail in `<root>/mail/<user>` (maildir). The master runs as root (the tests' user); its
login processes run as `dovenull` and mail is read and written as `dovecot` (Dovecot refuses both
as root), the users Debian's package creates; so the server's directory is its own temporary one
under /tmp, readable by them (pytest's are private to root).
`/usr/sbin/dovecot` must be installed (`make test` installs Debian's dovecot-imapd as root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.smtp_servers import self_signed_cert

DOVECOT = Path("/usr/sbin/dovecot")
USER, PASSWORD = "flow", "mailbox-password-1"
MAIL_USER, LOGIN_USER = "dovecot", "dovenull"


@dataclass(frozen=True)
class ImapServer:
    port: int
    user: str
    password: str
    ca_pem: str  # the self-signed certificate (it is its own CA), issued to 127.0.0.1 / localhost
    root: Path
    key_pem: str = ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(root: Path, port: int, *, idle: bool, move: bool) -> str:
    mail = pwd.getpwnam(MAIL_USER)
    lines = [
        f"base_dir = {root / 'run'}",
        f"state_dir = {root / 'state'}",
        "protocols = imap",
        "listen = 127.0.0.1",
        f"default_internal_user = {MAIL_USER}",
        f"default_login_user = {LOGIN_USER}",
        "ssl = yes",
        f"ssl_cert = <{root / 'cert.pem'}",
        f"ssl_key = <{root / 'key.pem'}",
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        f"log_path = {root / 'dovecot.log'}",
        f"mail_location = maildir:{root / 'mail'}/%u",
        f"first_valid_uid = {mail.pw_uid}",
        "passdb {",
        "  driver = passwd-file",
        f"  args = scheme=PLAIN username_format=%u {root / 'users'}",
        "}",
        "userdb {",
        "  driver = static",
        f"  args = uid={mail.pw_uid} gid={mail.pw_gid} home={root / 'mail'}/%u",
        "}",
        "service imap-login {",
        "  inet_listener imap {",
        f"    port = {port}",
        "  }",
        "  inet_listener imaps {",
        "    port = 0",
        "  }",
        "}",
        "namespace inbox {",
        "  inbox = yes",
        "  separator = /",
        "}",
    ]
    if not (idle and move):  # an older server: the watcher polls, moves by COPY and EXPUNGE
        extra = (" IDLE" if idle else "") + (" MOVE" if move else "")
        lines.append(f"imap_capability = IMAP4rev1 SASL-IR LITERAL+ ID ENABLE UIDPLUS{extra}")
    return "\n".join(lines) + "\n"


def _wait_listening(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() not in (None, 0):
            text = log.read_text() if log.exists() else ""
            raise RuntimeError(f"dovecot exited: {text[-2000:]}")
        time.sleep(0.05)
    raise RuntimeError(f"dovecot did not listen on {port}: {log.read_text()[-2000:]}")


@contextmanager
def running_dovecot(
    *,
    idle: bool = True,
    move: bool = True,
    port: int | None = None,
    like: ImapServer | None = None,
) -> Iterator[ImapServer]:
    """A Dovecot; `like`: with that one's certificate (a restart of the same server)."""
    if not DOVECOT.exists():
        pytest.fail("dovecot is missing: run 'make test' as root (it installs dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="flowdeck-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    mail = pwd.getpwnam(MAIL_USER)
    os.chown(root / "mail", mail.pw_uid, mail.pw_gid)
    if like:
        (root / "cert.pem").write_text(like.ca_pem)
        (root / "key.pem").write_text(like.key_pem)
    else:
        self_signed_cert(root, "localhost")  # writes cert.pem and key.pem
    (root / "key.pem").chmod(0o600)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    port = port or _free_port()
    config = root / "dovecot.conf"
    config.write_text(_config(root, port, idle=idle, move=move))
    log = root / "dovecot.log"
    proc = subprocess.Popen(  # noqa: S603 (a fixed binary, no shell)
        [str(DOVECOT), "-F", "-c", str(config)],
        stdout=(root / "stdout.log").open("w"),
        stderr=subprocess.STDOUT,
        env={"PATH": os.environ.get("PATH", "")},
    )
    try:
        _wait_listening(port, proc, log)
        cert, key = (root / "cert.pem").read_text(), (root / "key.pem").read_text()
        yield ImapServer(port, USER, PASSWORD, cert, root, key)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)
