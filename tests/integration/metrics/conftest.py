"""Fixtures for the metric sources: the loopback stand-ins and connections pointing at them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.services import connections
from app.services.actor import Actor
from tests.integration.metrics.standins import (
    GOOGLE_CLIENT,
    GOOGLE_REFRESH,
    PLAUSIBLE_KEY,
    PLAUSIBLE_SITE,
    SC_SITE,
    UMAMI_KEY,
    UMAMI_WEBSITE,
    Sources,
    serving,
)


@pytest.fixture
def sources() -> Iterator[Sources]:
    with serving(Sources()) as stand_in:
        yield stand_in


def connect(member: Actor, platform: str, base_url: str, **changes: Any) -> int:
    """A metric source connection pointing at the stand-ins, made through the service."""
    bodies: dict[str, dict[str, Any]] = {
        "plausible": {
            "credentials": {"apiKey": PLAUSIBLE_KEY},
            "config": {"siteId": PLAUSIBLE_SITE, "apiBase": base_url},
        },
        "umami": {
            "connectionType": "api_key",
            "credentials": {"apiKey": UMAMI_KEY},
            "config": {"websiteId": UMAMI_WEBSITE, "apiBase": base_url + "/api"},
        },
        "search_console": {
            "credentials": {
                "refreshToken": GOOGLE_REFRESH,
                "clientId": GOOGLE_CLIENT[0],
                "clientSecret": GOOGLE_CLIENT[1],
            },
            "config": {"siteUrl": SC_SITE, "apiBase": base_url, "tokenUrl": base_url + "/token"},
        },
    }
    body = {"name": f"{platform} stats", "platform": platform, **bodies[platform], **changes}
    return connections.create_connection(member, body)["id"]
