"""The one factory for outbound HTTP clients.

Every outbound request (actions, alerts, connection checks) gets its client here, so that
connection auth and the outbound address guard are added in exactly one place.
"""

from __future__ import annotations

import httpx

USER_AGENT = "Flowdeck/0.1 (+workflow automation)"


def outbound_client(*, timeout: float = 30.0, follow_redirects: bool = False) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        follow_redirects=follow_redirects,
        headers={"user-agent": USER_AGENT},
    )
