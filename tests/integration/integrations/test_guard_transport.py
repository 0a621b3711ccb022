"""The guard's transport is built on public extension points only (httpx 0.28 and later).

`GuardedTransport` is a plain `httpx.AsyncBaseTransport` over an httpcore pool whose network
backend is the guarded one, so it works inside any `httpx.AsyncClient` — not only the
factory's — and no private attribute of httpx is replaced (the old transport swapped
`AsyncHTTPTransport._pool`, which a minor httpx release could rename without a sound).
"""

from __future__ import annotations

import socket

import httpx
import pytest

from app.integrations.guard import GuardedTransport, OutboundBlocked


def test_a_plain_base_transport_that_sets_no_private_attribute() -> None:
    assert issubclass(GuardedTransport, httpx.AsyncBaseTransport)
    assert not issubclass(GuardedTransport, httpx.AsyncHTTPTransport)
    transport = GuardedTransport()
    assert [name for name in vars(transport) if name.startswith("_")] == []


async def test_a_fresh_httpx_client_with_the_transport_is_guarded(http_server) -> None:
    url, script = http_server
    async with httpx.AsyncClient(transport=GuardedTransport(), timeout=5) as client:
        assert (await client.get(f"{url}/through")).json() == {"ok": True}
        with pytest.raises(OutboundBlocked, match="cloud metadata"):
            await client.get("http://169.254.169.254/latest/meta-data/")
        with pytest.raises(OutboundBlocked, match="127.0.0.2 blocked: a loopback address"):
            await client.get("http://127.0.0.2:9/")
    assert [r["path"] for r in script.requests] == ["/through"]


async def test_network_errors_come_back_as_httpx_errors() -> None:
    """Callers catch `httpx.HTTPError`; the transport maps httpcore's errors to those."""
    with socket.socket() as probe:  # a port with nothing listening on it
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        async with httpx.AsyncClient(transport=GuardedTransport()) as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"http://127.0.0.1:{free_port}/", timeout=2)
            with pytest.raises(httpx.ReadTimeout):
                await client.get(f"http://127.0.0.1:{port}/slow", timeout=0.2)
