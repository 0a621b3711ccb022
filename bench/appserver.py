"""Start the real Flowdeck app (`reflex run --env prod`) on loopback, for benchmarks and tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(data_dir: Path, port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "FLOWDECK_DATA_DIR": str(data_dir),
        "FLOWDECK_SECRET_KEYS": os.environ.get("FLOWDECK_SECRET_KEYS")
        or Fernet.generate_key().decode(),
        "PORT": str(port),
        "FLOWDECK_BASE_URL": f"http://127.0.0.1:{port}",
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def _wait_until_up(base: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log.read_text()[-4000:]}")
        try:
            if (
                httpx.get(f"{base}/api/health", timeout=2).status_code == 200
                and httpx.get(f"{base}/login/", timeout=2).status_code == 200
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not start in {timeout} s:\n{log.read_text()[-4000:]}")


def _start(env: dict[str, str], log: Path) -> subprocess.Popen:
    port = env["PORT"]
    with log.open("w") as out:
        return subprocess.Popen(
            [
                str(BIN / "reflex"),
                "run",
                "--env",
                "prod",
                "--single-port",
                "--frontend-port",
                port,
                "--backend-port",
                port,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def running_app(env: dict[str, str], log: Path, timeout: float = 600) -> Iterator[str]:
    """Migrate, start the app with `env`, yield its base URL, stop it afterwards.

    A build whose prerender timed out (the build renders pages within a time limit, which a
    loaded machine misses) is started once more before giving up."""
    subprocess.run(
        [str(BIN / "flowdeck"), "db-upgrade"], env=env, check=True, cwd=ROOT, capture_output=True
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    for attempt in (1, 2):
        proc = _start(env, log)
        try:
            _wait_until_up(base, proc, log, timeout)
        except RuntimeError as exc:
            _stop(proc)
            if attempt == 2 or "Prerender" not in str(exc):
                raise
            continue
        try:
            yield base
        finally:
            _stop(proc)
        return
