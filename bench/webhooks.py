"""Webhook benchmark (d): 200 calls through the real HTTP endpoint, none lost.

    python -m bench.webhooks

Starts the API with the engine in a granian process on loopback, sends 200 webhook
deliveries (20 at a time), then checks that every one became an execution that finished.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from bench.reference import machine_line

CALLS = 200
CONCURRENCY = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare(data_dir: Path, env: dict[str, str]) -> str:
    """Migrate and create a webhook workflow in a separate process; returns its hook URL path."""
    code = (
        "from app.db.migrate import upgrade; upgrade();"
        "from app.services import workflows; from app.services.actor import SYSTEM;"
        "w = workflows.create_workflow(SYSTEM, {'name': 'hook bench', 'concurrency_limit': 8,"
        "'trigger': {'type': 'webhook'}, 'actions': [{'id': 'echo', 'type': 'transform',"
        "'config': {'values': {'n': '{{ trigger.body.n }}'}}}]}).workflow;"
        "print(w['webhook_url'].split('/api/', 1)[1])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return "/api/" + out.stdout.strip().splitlines()[-1]


def _count(env: dict[str, str]) -> tuple[int, int]:
    code = (
        "from sqlmodel import select, func; from app.db.engine import session_scope;"
        "from app.db.models import Execution;"
        "s = session_scope().__enter__();"
        "print(s.exec(select(func.count()).select_from(Execution)).one(),"
        " s.exec(select(func.count()).select_from(Execution)"
        ".where(Execution.status == 'succeeded')).one())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    total, done = out.stdout.split()
    return int(total), int(done)


async def _post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, n: int
) -> int:
    """One keep-alive HTTP/1.1 POST; the status code."""
    body = json.dumps({"n": n}).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        f"Idempotency-Key: bench-{n}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _fire(port: int, path: str) -> tuple[float, int]:
    """CALLS posts over CONCURRENCY keep-alive connections.

    A hand-written HTTP/1.1 client on purpose: the load generator shares the machine's two
    cores with the server, and a full client library would spend more CPU than the server.
    """
    calls = iter(range(CALLS))
    codes: list[int] = []

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for n in calls:
                codes.append(await _post(reader, writer, path, n))
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(CONCURRENCY)))
    return time.perf_counter() - t0, sum(1 for c in codes if c == 202)


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="flowdeck-hooks-"))
    port = _free_port()
    env = {
        **os.environ,
        "FLOWDECK_DATA_DIR": str(data_dir),
        "PORT": str(port),
        "FLOWDECK_SECRET_KEYS": Fernet.generate_key().decode(),
    }
    path = _prepare(data_dir, env)
    granian = Path(sys.executable).parent / "granian"
    server = subprocess.Popen(
        [
            str(granian),
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "bench.webhook_server:app",
        ],
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        elapsed, accepted = asyncio.run(_fire(port, path))
        deadline = time.monotonic() + 30
        total, done = _count(env)
        while done < accepted and time.monotonic() < deadline:
            time.sleep(0.2)
            total, done = _count(env)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    print(
        f"(d) {CALLS} webhook calls through HTTP ({CONCURRENCY} at a time): {elapsed:.3f} s, "
        f"{CALLS / elapsed:.0f} accepted/s (target >= 200/s)"
    )
    print(
        f"    accepted {accepted}/{CALLS}, executions stored {total}, succeeded {done}, "
        f"lost {CALLS - total}"
    )
    print(machine_line())


if __name__ == "__main__":
    main()
