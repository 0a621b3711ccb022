"""Real Flowdeck processes on one SQLite file, for the multi-process tests (#17): `flowdeck
worker` started as a subprocess of its own (so `kill -9` ends exactly it), and read-only looks
at the shared file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[3]
HEARTBEAT_S, TTL_S = 1, 3  # fast leases, so a dead process is noticed within seconds


def cluster_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a process using `data_dir`, with fast leases."""
    return {
        **os.environ,
        "FLOWDECK_DATA_DIR": str(data_dir),
        "FLOWDECK_LEASE_HEARTBEAT_S": str(HEARTBEAT_S),
        "FLOWDECK_LEASE_TTL_S": str(TTL_S),
        **extra,
    }


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill9(self) -> None:
        os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self) -> int:
        if self.alive:
            self.popen.send_signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill9()
        return self.popen.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_worker(name: str, env: dict[str, str], log_dir: Path, *args: str) -> Proc:
    """`flowdeck worker` (through `python -m app.cli`) with its output in `log_dir/<name>.log`."""
    log = log_dir / f"{name}.log"
    handle = log.open("w")
    popen = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker", "--poll", "0.3", *args],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    handle.close()
    return Proc(name, popen, log)


def wait_for(what: str, check: Callable[[], Any], timeout_s: float, procs: list[Proc]) -> Any:
    """`check()`'s first truthy answer within `timeout_s`; fails with the processes' logs."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.1)
    logs = "\n".join(f"--- {p.name} ---\n{p.output()[-3000:]}" for p in procs)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}\n{logs}")


def read(url: str, query: str, **params: Any) -> list[Any]:
    """Rows of `query` on the shared file (a connection of its own, closed at once)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(query), params).all())
    finally:
        engine.dispose()
