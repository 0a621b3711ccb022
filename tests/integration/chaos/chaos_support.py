"""Parts of the chaos test: the real app as a killable process group, a loopback remote API,
Flowdeck-signed webhook deliveries, and read-only checks of the SQLite file.

The app is the deployed process, `reflex run --env prod`, started backend-only (the browser
tests own the one frontend build) with its own `.web` and `.states` directories, in its own
process group so that `kill -9` reaches the reflex process and every server worker it forked.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from bench import appserver

UNFINISHED = ("queued", "running")
START_TIMEOUT_S = 90.0


def flowdeck_cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    """Run the `flowdeck` console script with the app's environment; returns its stdout."""
    done = subprocess.run(
        [str(appserver.BIN / "flowdeck"), *args],
        input=stdin,
        env=env,
        cwd=appserver.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flowdeck {args[0]} failed: {done.stderr[-2000:]}")
    return done.stdout


def _group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group `pgid`, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()  # state ppid pgrp ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


@dataclass
class AppProcess:
    """One Flowdeck process group on loopback; started, killed and restarted by the test."""

    env: dict[str, str]
    log_dir: Path
    proc: subprocess.Popen | None = None
    base: str = ""
    starts: list[float] = field(default_factory=list)  # seconds each start took

    def start(self) -> str:
        """Start on a fresh port and wait until /api/health reports the scheduler running."""
        port = appserver.free_port()
        env = {**self.env, "PORT": str(port), "FLOWDECK_BASE_URL": f"http://127.0.0.1:{port}"}
        log = self.log_dir / f"app-{len(self.starts) + 1}.log"
        began = time.monotonic()
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                [
                    str(appserver.BIN / "reflex"),
                    "run",
                    "--env",
                    "prod",
                    "--backend-only",
                    "--backend-host",
                    "127.0.0.1",
                    "--backend-port",
                    str(port),
                ],
                cwd=appserver.ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.base = f"http://127.0.0.1:{port}"
        self._wait_until_up(log, began)
        self.starts.append(time.monotonic() - began)
        return self.base

    def _wait_until_up(self, log: Path, began: float) -> None:
        assert self.proc is not None
        while time.monotonic() - began < START_TIMEOUT_S:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited early:\n{log.read_text()[-4000:]}")
            try:
                health = httpx.get(f"{self.base}/api/health", timeout=2)
                if health.status_code == 200 and health.json().get("scheduler") == "running":
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the app did not start in {START_TIMEOUT_S} s:\n{log.read_text()}")

    def kill9(self) -> list[int]:
        """SIGKILL the whole process group; returns the pids that were in it."""
        assert self.proc is not None
        pgid = self.proc.pid
        members = _group_members(pgid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._wait_group_gone(pgid)
        self.proc = None
        return members

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM the group and wait for a clean exit; returns the exit status."""
        assert self.proc is not None
        pgid = self.proc.pid
        os.killpg(pgid, signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self._wait_group_gone(pgid)
        self.proc = None
        return code

    def kill_if_running(self) -> None:
        """For `finally`: whatever happened, leave no process of ours behind."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None

    @staticmethod
    def _wait_group_gone(pgid: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while _group_members(pgid):
            if time.monotonic() > deadline:
                raise RuntimeError(f"process group {pgid} still alive: {_group_members(pgid)}")
            time.sleep(0.05)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A broken pipe from a caller killed mid-request is expected here; anything else is not.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class Remote:
    """A loopback HTTP API the workflows call: `/status/<code>` answers that code, anything
    else 200 `{"ok": true}`, each after `delay_s`. Counts the requests it served."""

    def __init__(self, delay_s: float = 0.05) -> None:
        self.delay_s = delay_s
        self.requests = 0
        self._lock = threading.Lock()
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                with remote._lock:
                    remote.requests += 1
                time.sleep(remote.delay_s)
                parts = self.path.strip("/").split("/")
                status = int(parts[1]) if parts[0] == "status" and len(parts) > 1 else 200
                data = json.dumps({"ok": status < 400}).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Remote:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def signed_delivery(secret: str, delivery_id: str, body: bytes) -> dict[str, str]:
    """Headers of one delivery signed the Flowdeck way (`t=<unix>,v1=<hmac of "<t>." + body>`),
    written from the documented scheme rather than with Flowdeck's own function."""
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {
        "content-type": "application/json",
        "idempotency-key": delivery_id,
        "x-flowdeck-signature": f"t={stamp},v1={digest}",
    }


def read_only(db_file: Path) -> sqlite3.Connection:
    """A read-only connection in autocommit mode (open a snapshot with `BEGIN`)."""
    return sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, isolation_level=None, timeout=30)


def integrity(db_file: Path) -> str:
    with read_only(db_file) as conn:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    conn.close()
    return "; ".join(str(r[0]) for r in rows)


def max_execution_id(db_file: Path) -> int:
    conn = read_only(db_file)
    try:
        return conn.execute("SELECT coalesce(max(id), 0) FROM execution").fetchone()[0]
    finally:
        conn.close()


def unfinished_up_to(db_file: Path, last_id: int) -> list[tuple[int, int, str]]:
    """(id, workflow id, status) of executions with id <= `last_id` still queued or running."""
    conn = read_only(db_file)
    try:
        return conn.execute(
            "SELECT id, workflow_id, status FROM execution WHERE id <= ? AND status IN (?, ?)",
            (last_id, *UNFINISHED),
        ).fetchall()
    finally:
        conn.close()


def wait_settled(db_file: Path, last_id: int, limit_s: float) -> list[tuple[int, int, str]]:
    """Wait (bounded) until no execution up to `last_id` is queued or running; returns those
    still unfinished when the time is up (empty when settled)."""
    deadline = time.monotonic() + limit_s
    while True:
        left = unfinished_up_to(db_file, last_id)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.25)
