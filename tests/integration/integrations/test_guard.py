"""The outbound address guard on real requests through `outbound_client()`.

The test configuration allows 127.0.0.1/32 (tests/conftest.py) so that loopback stand-ins
can be reached; tests here change the allowance where they need to show a refusal.
"""

from __future__ import annotations

import re
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.engine.http import outbound_client
from app.integrations.guard import OutboundBlocked, resolve_checked_sync

#: `localhost` may resolve to ::1 as well as 127.0.0.1; every address must be allowed.
LOCALHOST = "127.0.0.1/32,::1/128"

BLOCKED_URLS = [
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "cloud metadata"),
    ("http://metadata.google.internal/computeMetadata/v1/", "cloud metadata host name"),
    ("http://169.254.10.1/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[::1]:9/", "loopback"),
    ("http://[::ffff:127.0.0.2]:9/", "loopback"),
    ("http://127.0.0.2:9/", "loopback"),
    ("http://0177.0.0.2:9/", "loopback"),
    ("http://2130706434:9/", "loopback"),
    ("http://0x7f.2:9/", "loopback"),
    ("http://10.0.0.1/", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://[fc00::1]/", "private"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://0.0.0.0:9/", "this network"),
    ("http://224.0.0.1/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
]


@pytest.fixture
def redirector() -> Iterator[Callable[[str], str]]:
    """A real loopback server answering `302 Location: <target>`; returns its URL."""
    target: list[str] = []
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            if self.path == "/final":
                self.send_response(200)
                self.send_header("content-length", "5")
                self.end_headers()
                self.wfile.write(b"final")
                return
            self.send_response(302)
            self.send_header("location", target[0])
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def redirect_to(url: str) -> str:
        target[:] = [url.replace("{base}", base).replace("{port}", str(server.server_address[1]))]
        return f"{base}/start"

    yield redirect_to
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("url", "why"), BLOCKED_URLS)
async def test_blocked_addresses_are_refused_before_any_connection(url: str, why: str) -> None:
    async with outbound_client(timeout=2) as client:
        with pytest.raises(OutboundBlocked) as caught:
            await client.get(url)
    assert why in caught.value.message
    assert "blocked" in caught.value.message


async def test_metadata_stays_blocked_even_when_everything_is_allowed(settings_env) -> None:
    settings_env(FLOWDECK_OUTBOUND_ALLOW="0.0.0.0/0,::/0,169.254.169.254,metadata.google.internal")
    async with outbound_client(timeout=2) as client:
        for url in ("http://169.254.169.254/", "http://metadata.google.internal/"):
            with pytest.raises(OutboundBlocked, match="always blocked"):
                await client.get(url)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://127.0.0.1:70/_x", "dict://x/"]
)
async def test_other_schemes_are_refused(url: str) -> None:
    async with outbound_client(timeout=2) as client:
        with pytest.raises(OutboundBlocked, match="only http:// and https://"):
            await client.get(url)


async def test_host_names_are_resolved_and_checked_at_connect(settings_env, http_server) -> None:
    url, script = http_server
    settings_env(FLOWDECK_OUTBOUND_ALLOW="")
    port = url.rsplit(":", 1)[1]
    async with outbound_client(timeout=2) as client:
        with pytest.raises(OutboundBlocked) as caught:
            await client.get(f"http://localhost:{port}/x")
    assert re.search(r"localhost \(resolves to (127\.0\.0\.1|::1)\)", caught.value.message)
    assert "loopback" in caught.value.message and "FLOWDECK_OUTBOUND_ALLOW" in caught.value.message
    assert script.requests == []  # refused before connecting


async def test_the_test_allowance_lets_the_loopback_servers_through(http_server) -> None:
    url, script = http_server
    port = url.rsplit(":", 1)[1]
    async with outbound_client(timeout=5) as client:
        for target in (url, f"http://[::ffff:127.0.0.1]:{port}", f"http://0177.0.0.1:{port}"):
            if "0177" in target:  # allowed, but httpx itself refuses this spelling of a URL
                with pytest.raises(httpx.InvalidURL):
                    await client.get(target + "/ping")
                continue
            assert (await client.get(target + "/ping")).status_code == 200
    assert len(script.requests) == 2


async def test_a_host_name_can_be_allowed_by_name(settings_env, http_server) -> None:
    url, _ = http_server
    port = url.rsplit(":", 1)[1]
    settings_env(FLOWDECK_OUTBOUND_ALLOW="localhost")
    async with outbound_client(timeout=5) as client:
        assert (await client.get(f"http://localhost:{port}/ok")).status_code == 200
        with pytest.raises(OutboundBlocked, match="127.0.0.1 blocked: a loopback address"):
            await client.get(f"http://127.0.0.1:{port}/ok")


async def test_a_redirect_to_metadata_is_refused(redirector) -> None:
    start = redirector("http://169.254.169.254/latest/meta-data/iam/")
    async with outbound_client(timeout=5, follow_redirects=True) as client:
        with pytest.raises(OutboundBlocked, match="169.254.169.254 blocked: a cloud metadata"):
            await client.get(start)


async def test_a_redirect_to_a_blocked_loopback_address_is_refused(redirector) -> None:
    start = redirector("http://127.0.0.2:{port}/final")  # the server itself is allowed
    async with outbound_client(timeout=5, follow_redirects=True) as client:
        with pytest.raises(OutboundBlocked, match="127.0.0.2 blocked: a loopback address"):
            await client.get(start)


async def test_a_redirect_by_name_is_checked_when_connecting(settings_env, redirector) -> None:
    settings_env(FLOWDECK_OUTBOUND_ALLOW=LOCALHOST)
    start = redirector("http://localhost:{port}/final")  # allowed: resolves to loopback
    async with outbound_client(timeout=5, follow_redirects=True) as client:
        response = await client.get(start)
    assert response.text == "final" and len(response.history) == 1

    settings_env(FLOWDECK_OUTBOUND_ALLOW="127.0.0.1")  # a single address, not the name
    start = redirector("http://[::1]:{port}/final")
    async with outbound_client(timeout=5, follow_redirects=True) as client:
        with pytest.raises(OutboundBlocked, match="::1 blocked: a loopback address"):
            await client.get(start)


async def test_a_redirect_to_another_scheme_is_refused(redirector) -> None:
    start = redirector("file:///etc/passwd")
    async with outbound_client(timeout=5, follow_redirects=True) as client:
        with pytest.raises(OutboundBlocked, match="file: is not allowed"):
            await client.get(start)


def test_plain_sockets_use_the_same_guard(settings_env) -> None:
    assert resolve_checked_sync("127.0.0.1", 25) == ["127.0.0.1"]
    settings_env(FLOWDECK_OUTBOUND_ALLOW="")
    with pytest.raises(OutboundBlocked, match="localhost"):
        resolve_checked_sync("localhost", 25)
    with pytest.raises(OutboundBlocked, match="cloud metadata"):
        resolve_checked_sync("169.254.169.254", 80)


async def test_https_keeps_the_host_name_for_sni_and_certificates(
    self_signed, settings_env
) -> None:
    """The connection is pinned to the checked address; TLS still speaks to the name."""
    settings_env(FLOWDECK_OUTBOUND_ALLOW=LOCALHOST)
    server_names: list[str | None] = []
    context = self_signed.server_context()
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-length", "6")
            self.end_headers()
            self.wfile.write(b"secure")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    port = server.server_address[1]
    trust = ssl.create_default_context(cadata=self_signed.pem)
    try:
        async with outbound_client(timeout=5, verify=trust) as client:
            response = await client.get(f"https://localhost:{port}/")
        assert response.text == "secure" and server_names == ["localhost"]
        async with outbound_client(timeout=5) as client:  # the system CAs do not trust it
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.get(f"https://localhost:{port}/")
    finally:
        server.shutdown()
        server.server_close()
