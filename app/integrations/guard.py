"""The outbound address guard: every outbound connection is checked where it is made.

Three places, each cheap:

- `check_url` (no DNS): the scheme must be http or https; literal addresses in any spelling
  and cloud metadata host names are judged at once. Called when a request is built and again
  by the transport for every request it sends, so each redirect hop is checked too.
- `GuardedNetworkBackend.connect_tcp` (httpcore's public network-backend interface, used by
  `GuardedTransport`, a plain `httpx.AsyncBaseTransport`): resolves the host, checks *every*
  address it resolves to, and connects to one of those checked addresses (pinned), so a DNS
  answer that changes between the check and the connection (rebinding) cannot slip through.
- `resolve_checked_sync`: the same for plain sockets (SMTP runs in a thread).

    IntegrationError
    └── OutboundBlocked     the destination is not allowed (message names host and why)
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import typing
from functools import lru_cache
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

from app.core.errors import IntegrationError
from app.db.settings import get_settings
from app.integrations.addresses import (
    AllowList,
    blocked_reason,
    host_name_reason,
    parse_host_address,
)

ALLOWED_SCHEMES = ("http", "https")
_HINT = "allow it with FLOWDECK_OUTBOUND_ALLOW (CIDRs and host names)"


class OutboundBlocked(IntegrationError):
    """An outbound request or connection to a destination Flowdeck must not reach."""

    code = "outbound_blocked"
    status = 400


@lru_cache(maxsize=8)
def _allow_list(entries: tuple[str, ...]) -> AllowList:
    return AllowList.from_entries(entries)


def current_allow_list() -> AllowList:
    """The allow list of the current settings."""
    return _allow_list(get_settings().outbound_allow)


def _refuse(host: str, reason: str, address: str | None = None) -> OutboundBlocked:
    where = host if address is None or address == host else f"{host} (resolves to {address})"
    hint = "" if "always" in reason else f"; {_HINT}"
    return OutboundBlocked(
        f"outbound request to {where} blocked: {reason}{hint}",
        details={"host": host, "address": address, "reason": reason},
    )


def check_host(host: str, allow: AllowList | None = None) -> None:
    """Judge a host without DNS: metadata names and literal addresses in any spelling."""
    allow = current_allow_list() if allow is None else allow
    if not host:
        raise OutboundBlocked("outbound request blocked: the URL has no host")
    if reason := host_name_reason(host):
        raise _refuse(host, reason)
    ip = parse_host_address(host)
    if ip is not None and (reason := blocked_reason(host, ip, allow)):
        raise _refuse(host, reason, str(ip))


def check_url(url: str | httpx.URL, allow: AllowList | None = None) -> None:
    """Refuse non-http(s) schemes and blocked literal hosts; names are checked at connect."""
    text = str(url)
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        raise OutboundBlocked("outbound request blocked: the URL cannot be parsed") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}:" if scheme else "a URL without a scheme"
        raise OutboundBlocked(
            f"outbound request blocked: {shown} is not allowed, only http:// and https://",
            details={"scheme": scheme},
        )
    check_host(host, allow)


def check_addresses(host: str, addresses: list[str], allow: AllowList | None = None) -> None:
    """Every address `host` resolved to must be allowed, or none is used."""
    allow = current_allow_list() if allow is None else allow
    for address in addresses:
        ip = parse_host_address(address)
        if ip is None:
            raise _refuse(host, "an address that cannot be read", address)
        if reason := blocked_reason(host, ip, allow):
            raise _refuse(host, reason, str(ip))


def _addresses(infos: list[tuple]) -> list[str]:
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        if address not in seen:
            seen.append(address)
    return seen


async def resolve_checked(host: str, port: int) -> list[str]:
    """The checked addresses of `host` (literal or resolved), in resolver order."""
    check_host(host)
    try:
        infos = await anyio.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve host {host!r}: {exc.strerror}") from None
    addresses = _addresses(infos)
    check_addresses(host, addresses)
    return addresses


def resolve_checked_sync(host: str, port: int) -> list[str]:
    """`resolve_checked` for blocking code (SMTP in a worker thread)."""
    check_host(host)
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve host {host!r}: {exc.strerror}") from None
    addresses = _addresses(infos)
    check_addresses(host, addresses)
    return addresses


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the guard at connect time, pinned to checked addresses.

    TLS still uses the original host name for SNI and certificate checks (httpcore passes
    it to `start_tls`), so pinning the address changes nothing for HTTPS.
    """

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        last_error: Exception | None = None
        for address in await resolve_checked(host, port):
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"no address to connect to for {host!r}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise OutboundBlocked("outbound requests over Unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@lru_cache(maxsize=2)
def _ssl_context(verify: bool) -> ssl.SSLContext:
    """Loading the trusted CAs takes ~20 ms: one shared context (they are thread-safe)."""
    return httpx.create_ssl_context(verify=verify, trust_env=True)


# httpcore's exceptions and the httpx ones a caller of `httpx.AsyncClient` expects, most
# specific first (both are public API of their packages).
_HTTPCORE_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _httpx_errors() -> typing.Iterator[None]:
    """Re-raise an httpcore error as its httpx counterpart; anything else passes unchanged."""
    try:
        yield
    except Exception as exc:
        for source, target in _HTTPCORE_ERRORS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, inner: typing.AsyncIterable[bytes]) -> None:
        self._inner = inner

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        with _httpx_errors():
            async for part in self._inner:
                yield part

    async def aclose(self) -> None:
        close = getattr(self._inner, "aclose", None)
        if close is not None:
            await close()


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport (the public extension point) over an httpcore connection pool
    whose network backend is the guarded one (httpcore's public extension point).

    Each request's URL is checked here, so every redirect hop is (httpx follows redirects
    above the transport); each new connection resolves, checks and pins its address in
    `GuardedNetworkBackend`. Nothing private of httpx or httpcore is touched, so a minor
    release of either cannot switch the guard off silently.
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits = httpx.Limits(max_connections=20, max_keepalive_connections=5),
    ) -> None:
        context = verify if isinstance(verify, ssl.SSLContext) else _ssl_context(verify)
        self.network_backend = GuardedNetworkBackend()
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=self.network_backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        check_url(request.url)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=typing.cast(typing.AsyncIterable[bytes], request.stream),
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = await self.pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(typing.cast(typing.AsyncIterable[bytes], response.stream)),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()
