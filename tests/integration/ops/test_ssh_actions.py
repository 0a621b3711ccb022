"""`ssh_command` and `service_restart` against a real sshd on a loopback port: output captured
and capped, exit status and timeout, the host key pinned (a different key is refused), the
key never stored; a restart runs systemctl (a fake one in the session's PATH records it), or
is an HTTP call through an `http` connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from app.engine.runner import Engine
from app.services import connections
from app.services.actor import Actor
from tests.integration.actions.action_helpers import run, stored_text
from tests.integration.conftest import Script
from tests.integration.ops.sshd import SshServer, running_sshd


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[SshServer]:
    with running_sshd(tmp_path / "sshd") as server:
        yield server


def _connect(member: Actor, server: SshServer, *, name: str = "box", host_key: str = "") -> int:
    body = {"name": name, "platform": "ssh", "connectionType": "ssh",
            "credentials": {"privateKey": server.client_key},
            "config": {"host": "127.0.0.1", "port": server.port, "username": server.user,
                       "hostKey": host_key or server.host_key, "connectTimeoutS": 5}}  # fmt: skip
    return connections.create_connection(member, body)["id"]


def _ssh(command: str, **config: object) -> list[dict]:
    return [{"id": "ssh", "type": "ssh_command",
             "config": {"connection": "box", "command": command, **config}}]  # fmt: skip


async def test_a_command_runs_and_its_output_is_captured_and_capped(
    member: Actor, engine: Engine, sshd: SshServer
) -> None:
    conn_id = _connect(member, sshd)
    checked = await connections.verify_connection(member, conn_id)
    assert checked["status"] == "verified", checked
    assert "host key matches" in checked["verification"]["message"]

    done = await run(member, engine, _ssh("echo hello {{ trigger.name }}; echo oops >&2"),
                     payload={"name": "ada"})  # fmt: skip
    assert done["status"] == "succeeded", done
    output = done["steps"][0]["output"]
    assert (output["stdout"], output["stderr"]) == ("hello ada\n", "oops\n")
    assert output["exit_status"] == 0 and output["truncated"] is False

    big = await run(member, engine, _ssh("head -c 300000 /dev/zero | tr '\\0' x",
                                         max_output=2048))  # fmt: skip
    assert big["status"] == "succeeded"
    assert len(big["steps"][0]["output"]["stdout"]) == 2048
    assert big["steps"][0]["output"]["truncated"] is True

    failed = await run(member, engine, _ssh("echo before; echo 'no such file' >&2; exit 3"))
    assert failed["status"] == "failed"
    assert "exit status 3: no such file" in failed["steps"][0]["error"]
    assert failed["steps"][0]["output"]["stdout"] == "before\n"
    tolerated = await run(member, engine, _ssh("exit 3", check=False))
    assert tolerated["status"] == "succeeded"
    assert tolerated["steps"][0]["output"]["exit_status"] == 3

    slow = await run(member, engine, _ssh("sleep 30", timeout_s=1))
    assert slow["status"] == "failed" and "no end within 1 s" in slow["steps"][0]["error"]
    assert "PRIVATE KEY" not in stored_text()


async def test_a_host_showing_another_key_is_refused(
    member: Actor, engine: Engine, sshd: SshServer
) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    conn_id = _connect(member, sshd, host_key=other)
    checked = await connections.verify_connection(member, conn_id)
    assert checked["status"] == "failed"
    assert "not the pinned one" in checked["verification"]["message"]
    refused = await run(member, engine, _ssh("touch /tmp/should-not-run"))
    assert refused["status"] == "failed"
    assert "host's key is not the pinned one" in refused["steps"][0]["error"]


async def test_a_password_logs_in_and_a_wrong_one_is_refused(
    member: Actor, engine: Engine, tmp_path: Path
) -> None:
    with running_sshd(tmp_path / "sshd", with_password=True) as server:

        def connect(name: str, password: str) -> int:
            body = {"name": name, "platform": "ssh", "connectionType": "ssh",
                    "credentials": {"password": password},
                    "config": {"host": "127.0.0.1", "port": server.port,
                               "username": server.password_user, "hostKey": server.host_key,
                               "connectTimeoutS": 5}}  # fmt: skip
            return connections.create_connection(member, body)["id"]

        good = connect("box", server.password)
        checked = await connections.verify_connection(member, good)
        assert checked["status"] == "verified", checked
        done = await run(member, engine, _ssh("id -un"))
        assert done["status"] == "succeeded", done
        assert done["steps"][0]["output"]["stdout"] == f"{server.password_user}\n"

        bad = connect("wrong", server.password + "x")
        refused = await connections.verify_connection(member, bad)
        assert refused["status"] == "failed"
        assert "authentication refused" in refused["verification"]["message"]
        wrong = [{"id": "ssh", "type": "ssh_command",
                  "config": {"connection": "wrong", "command": "id -un"}}]  # fmt: skip
        failed = await run(member, engine, wrong)
        assert failed["status"] == "failed"
        assert "authentication refused" in failed["steps"][0]["error"]
        assert server.password not in stored_text()


def test_a_connection_needs_a_key_or_password_and_a_real_host_key(member: Actor) -> None:
    from app.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        connections.create_connection(member, {
            "name": "bad", "platform": "ssh", "credentials": {"privateKey": "not a key"},
            "config": {"host": "h", "username": "u", "hostKey": "nonsense"}})  # fmt: skip
    paths = {p.path for p in caught.value.problems}
    assert any(p.startswith("credentials") for p in paths) and "config.host_key" in paths


async def test_a_service_is_restarted_over_ssh_or_http(
    member: Actor, engine: Engine, sshd: SshServer, http_server: tuple[str, Script]
) -> None:
    calls = sshd.bin_dir.parent / "systemctl.calls"
    fake = sshd.bin_dir / "systemctl"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n[ "$1" = is-active ] && echo active\n'
                    "exit 0\n")  # fmt: skip
    fake.chmod(0o755)
    _connect(member, sshd)
    step = {"id": "restart", "type": "service_restart",
            "config": {"connection": "box", "service": "{{ trigger.unit }}"}}  # fmt: skip
    done = await run(member, engine, [step], payload={"unit": "nginx.service"})
    assert done["status"] == "succeeded", done
    assert done["steps"][0]["output"]["active"] == "active"
    recorded = await asyncio.to_thread(calls.read_text)
    assert recorded == "restart nginx.service\nis-active nginx.service\n"

    injected = await run(member, engine, [step], payload={"unit": "x; rm -rf /"})
    assert injected["status"] == "failed" and "config.service" in injected["steps"][0]["error"]

    base, script = http_server
    connections.create_connection(member, {
        "name": "ops-api", "platform": "http", "connectionType": "oauth",
        "credentials": {"token": "ops-token-12345"}, "config": {"baseUrl": base}})  # fmt: skip
    over_http = {"id": "restart", "type": "service_restart", "config": {
        "connection": "ops-api", "service": "worker", "path": "/services/restart"}}  # fmt: skip
    done = await run(member, engine, [over_http])
    assert done["status"] == "succeeded", done
    [request] = script.requests
    assert request["path"] == "/services/restart"
    assert request["headers"]["Authorization"] == "Bearer ops-token-12345"
    assert json.loads(request["body"]) == {"action": "restart", "service": "worker"}
