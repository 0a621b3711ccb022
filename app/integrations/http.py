"""The one factory for outbound HTTP clients (actions, alerts, connection checks).

Every client it makes carries the outbound address guard: the URL is checked when a request
is built (so that odd spellings such as `0177.0.0.1` are refused with a clear message before
httpx even parses them), every request the transport sends is checked again (each redirect
hop), and every connection is checked and pinned to the checked address. Proxies from the
environment are ignored on purpose: through a proxy the guard could not see the destination.
"""

from __future__ import annotations

import logging
import ssl
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.integrations.guard import GuardedTransport, check_url

USER_AGENT = "Flowdeck/0.1 (+workflow automation)"


class HideRequestTargets(logging.Filter):
    """httpx logs every request's full URL at INFO; paths and queries can hold secrets
    (Telegram's `/bot<token>/`, a Slack or n8n webhook URL), so only the origin is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_origin(a) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


def _origin(url: httpx.URL) -> str:
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}/…"


_httpx_log = logging.getLogger("httpx")
if not any(isinstance(f, HideRequestTargets) for f in _httpx_log.filters):
    _httpx_log.addFilter(HideRequestTargets())


class GuardedClient(httpx.AsyncClient):
    """An `httpx.AsyncClient` that refuses blocked destinations before building a request.

    Absolute URLs given as text are checked as written; relative ones and `httpx.URL`s are
    checked by the transport once httpx has built them.
    """

    def build_request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Request:
        if isinstance(url, str) and _has_scheme(url):
            check_url(url)
        return super().build_request(method, url, **kwargs)


def _has_scheme(url: str) -> bool:
    try:
        return bool(urlsplit(url).scheme)
    except ValueError:
        return True  # let check_url report the unreadable URL


def outbound_client(
    *,
    timeout: float = 30.0,
    follow_redirects: bool = False,
    verify: ssl.SSLContext | bool = True,
    base_url: str = "",
    headers: dict[str, str] | None = None,
) -> httpx.AsyncClient:
    """A guarded client; use it as `async with outbound_client() as client: ...`."""
    return GuardedClient(
        timeout=httpx.Timeout(timeout),
        follow_redirects=follow_redirects,
        headers={"user-agent": USER_AGENT, **(headers or {})},
        base_url=base_url,
        transport=GuardedTransport(verify=verify),
        trust_env=False,
    )
